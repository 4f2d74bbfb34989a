import pytest
from simple_history.models import HistoricalRecords

from tests import factories


@pytest.fixture
def as_user():
    """Imports made as this person, as the history middleware records a
    request's author."""
    user = factories.UserFactory(username="importer")
    request = type("Request", (), {"user": user})()
    HistoricalRecords.context.request = request
    yield user
    del HistoricalRecords.context.request
