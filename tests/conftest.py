from pathlib import Path

import pytest

from competency.models import Framework, Level

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "senior-devops-engineer-management.txt"
DATA = Path(__file__).resolve().parent / "profiles" / "data"

DDAT_LEVELS = ["Awareness", "Working", "Practitioner", "Expert"]


@pytest.fixture
def ddat(db):
    """The DDaT framework with its four-level scale, as seed_demo loads it."""
    framework = Framework.objects.create(name="DDaT", slug="ddat")
    for rank, name in enumerate(DDAT_LEVELS, start=1):
        Level.objects.create(framework=framework, rank=rank, name=name)
    return framework


@pytest.fixture
def sample_bytes():
    return SAMPLE.read_bytes()
