from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from northstar.people.models import Organisation


@pytest.mark.django_db
def test_there_is_one_organisation_row():
    first = Organisation.get()
    assert Organisation.get().pk == first.pk
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_a_timestamp_takes_the_organisations_calendar_date():
    org = Organisation.get()
    org.time_zone = "Europe/Zurich"
    # 22:00 UTC on a summer evening is already the next day in Zurich.
    assert org.local_date(datetime(2023, 7, 26, 22, 0, tzinfo=UTC)).isoformat() == "2023-07-27"
    assert org.local_date(datetime(2023, 7, 26, 21, 0)).isoformat() == "2023-07-26"


@pytest.mark.django_db
def test_it_refuses_an_unknown_time_zone_and_crossed_thresholds():
    org = Organisation.get()
    org.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError):
        org.full_clean()
    org.time_zone = "UTC"
    org.at_risk_threshold, org.behind_threshold = 0.9, 0.5
    with pytest.raises(ValidationError):
        org.full_clean()
