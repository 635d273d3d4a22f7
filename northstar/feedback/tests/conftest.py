from datetime import date

import pytest

from northstar.people.models import Organisation

TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def today(monkeypatch) -> date:
    """A fixed day inside the personas' quarter, so that nothing depends on the clock."""
    monkeypatch.setattr(Organisation, "today", lambda self: TODAY)
    return TODAY
