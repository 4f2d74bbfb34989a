"""A fresh installation (migrations, no demo data) can load DDaT's scale with
one command and then import a published page."""

import pytest
from django.core.management.base import CommandError

from competency.models import Framework, Level
from tests.cast import DDAT_LEVELS
from tests.paths import DATA
from tests.profiles.helpers import run, written_rows

pytestmark = pytest.mark.django_db


def test_it_creates_ddat_with_its_four_levels_and_the_ogl_attribution():
    output = run("load_ddat_scale")
    assert output.startswith("Created the DDaT framework: levels 1 – Awareness, 2 – Working")
    ddat = Framework.objects.get(name="DDaT")
    assert ddat.slug == "ddat"
    assert list(ddat.levels.values_list("rank", "name")) == list(enumerate(DDAT_LEVELS, start=1))
    assert "Open Government Licence v3.0" in ddat.attribution


def test_then_a_published_page_imports():
    run("load_ddat_scale")
    output = run("import_profile", str(DATA / "lead-data-engineer-technical.txt"))
    assert "Created draft 'Lead Data Engineer – Technical'" in output


def test_running_it_again_changes_nothing():
    run("load_ddat_scale")
    before = written_rows()
    assert run("load_ddat_scale").startswith("The DDaT framework and its four levels are already")
    assert written_rows() == before


def test_after_the_demo_data_it_keeps_the_demo_texts(settings):
    settings.DEBUG = True
    run("seed_demo")
    ddat = Framework.objects.get(name="DDaT")
    descriptions = list(ddat.levels.values_list("description", flat=True))
    before = written_rows()
    run("load_ddat_scale")
    assert written_rows() == before
    ddat.refresh_from_db()
    assert list(ddat.levels.values_list("description", flat=True)) == descriptions
    # And seed_demo still runs after it, changing nothing.
    run("seed_demo")
    assert written_rows() == before


def test_a_ddat_with_other_level_names_is_refused_and_left_alone():
    ddat = Framework.objects.create(name="DDaT", slug="ddat")
    Level.objects.create(framework=ddat, rank=1, name="Aware")
    before = written_rows()
    with pytest.raises(CommandError) as error:
        run("load_ddat_scale")
    assert "level 1 of DDaT is 'Aware'" in str(error.value)
    assert written_rows() == before


def test_it_completes_a_ddat_framework_that_has_no_levels_yet():
    Framework.objects.create(name="DDaT", slug="ddat", attribution="Our own words.")
    assert run("load_ddat_scale").startswith("Completed the DDaT framework")
    ddat = Framework.objects.get(name="DDaT")
    assert ddat.levels.count() == 4
    assert ddat.attribution == "Our own words."


def test_the_demo_data_loads_after_it(settings):
    settings.DEBUG = True
    run("load_ddat_scale")
    run("seed_demo")
    ddat = Framework.objects.get(name="DDaT")
    assert ddat.levels.count() == 4
    assert all(ddat.levels.values_list("description", flat=True))
