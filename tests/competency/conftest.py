"""The catalogue tests' skill (the people are the cast's: tests/cast.py)."""

import pytest

from tests import factories
from tests.competency.helpers import OGL


@pytest.fixture
def ddat_skill(ddat):
    """A DDaT skill under a subcategory, with two level descriptions, used by
    one published profile at level 3."""
    ddat.description = "Skills for digital, data and technology jobs."
    ddat.attribution = OGL
    ddat.save()
    family = factories.CategoryFactory(framework=ddat, name="Software development")
    role = factories.CategoryFactory(framework=ddat, parent=family, name="Software developer")
    skill = factories.SkillFactory(
        category=role, name="Systems design", description="Designing systems that work."
    )
    levels = {level.rank: level for level in ddat.levels.all()}
    factories.SkillLevelFactory(skill=skill, level=levels[1], description="You can explain it.")
    factories.SkillLevelFactory(skill=skill, level=levels[3], description="You can design it.")
    profile = factories.RoleProfileFactory(title="Senior Developer", slug="senior-developer")
    factories.ProfileSkillFactory(profile=profile, skill=skill, level=levels[3])
    return skill
