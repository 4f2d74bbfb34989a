"""Where the tests' files are."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# ../shared is beside the repository on the team's machines and in CI, not
# in a bare clone: tests of the published sample itself skip without it,
# and every other test uses the project's own pages in the same layout.
SHARED = Path(os.environ.get("SHARED_DIR") or ROOT.parent / "shared")
SAMPLE = SHARED / "samples" / "senior-devops-engineer-management.txt"
needs_shared = pytest.mark.skipif(
    not SAMPLE.exists(),
    reason=f"needs the published sample in {SHARED}, which a clone of the repository alone "
    "does not have (the project's fixtures cover the same parser paths)",
)
# A page of the project's own, in the published layout, with the sample's slug.
OWN_PAGE = ROOT / "fixtures" / "profiles" / "senior-devops-engineer-management.txt"
DATA = Path(__file__).resolve().parent / "profiles" / "data"
# The frameworks' tables the import tests read.
FRAMEWORKS = Path(__file__).resolve().parent / "frameworks" / "data"
DDAT_ROLES = FRAMEWORKS / "ddat-roles.csv"
SKILLS = FRAMEWORKS / "skills.csv"
