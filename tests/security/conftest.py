import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter


class _Lines(logging.Handler):
    """Keeps each record as the security log's own formatter writes it, read
    back as JSON: what a log shipper would read."""

    def __init__(self, formatter):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(formatter)
        self.records = []

    def emit(self, record):
        self.records.append(json.loads(self.format(record)))


@pytest.fixture
def security_log():
    """The security log's records during the test, as JSON objects;
    `.events(name)` those of one event."""
    logger = logging.getLogger("competency.security")
    # settings: its own JSON handler (pytest adds its own beside it)
    (configured,) = [h for h in logger.handlers if isinstance(h.formatter, JsonFormatter)]
    lines = _Lines(configured.formatter)
    logger.addHandler(lines)
    try:
        yield SecurityLog(lines)
    finally:
        logger.removeHandler(lines)


class SecurityLog:
    def __init__(self, lines):
        self._lines = lines

    @property
    def records(self):
        return self._lines.records

    def events(self, name):
        return [record for record in self._lines.records if record["event"] == name]

    def names(self):
        return [record["event"] for record in self._lines.records]
