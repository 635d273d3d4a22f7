"""The rhythm's pages run the same number of queries for a small organisation and a 10×
larger one, with comments, kudos and celebrations on every key result.

Reuses the organisation of `test_query_counts`; run with `-s` to print the table of counts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from northstar.feedback.models import Celebration, Comment, Kudos
from northstar.okrs.models import CheckIn, KeyResult
from northstar.people.models import Organisation, Person
from northstar.web.tests.test_query_counts import LARGE, SMALL, Org, build_organisation

WHEN = datetime(2026, 11, 3, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: date(2026, 11, 16))


def add_feedback(org: Org) -> CheckIn:
    """A check-in, a comment, kudos and a celebration on every key result; and on the
    company key result, as many comments and kudos as there are people."""
    key_results = list(KeyResult.objects.select_related("objective"))
    check_ins = CheckIn.objects.bulk_create(
        CheckIn(
            key_result=kr,
            value=5,
            measured_on=date(2026, 11, 3),
            author=org.boss,
            note="Steady **progress**",
            created_at=WHEN + timedelta(minutes=n),
        )
        for n, kr in enumerate(key_results)
    )
    people = list(Person.objects.exclude(pk=org.boss.pk))
    Comment.objects.bulk_create(
        Comment(objective=kr.objective, key_result=kr, author=org.boss, body="Nice *work*")
        for kr in key_results
    )
    Comment.objects.bulk_create(
        Comment(objective=org.company_objective, key_result=org.company_kr, author=p, body="+1")
        for p in people
    )
    Comment.objects.bulk_create(
        Comment(objective=org.company_objective, author=p, body="On the objective") for p in people
    )
    Kudos.objects.bulk_create(
        Kudos(objective=org.company_objective, key_result=org.company_kr, giver=p,
              receiver=org.boss, message="Thanks")
        for p in people
    )  # fmt: skip
    Celebration.objects.bulk_create(
        Celebration(kind="key_result", objective=c.key_result.objective, key_result=c.key_result,
                    check_in=c, created=c.created_at)
        for c in check_ins
    )  # fmt: skip
    return check_ins[0]


def pages(org: Org, check_in: CheckIn) -> dict[str, tuple[str, dict]]:
    htmx = {"HTTP_HX_REQUEST": "true"}
    return {
        "my check-in": ("/check-in/", {}),
        "activity (company)": (f"/units/{org.company.pk}/activity/", {}),
        "activity (team)": (f"/units/{org.team.pk}/activity/", {}),
        "activity preview": (f"/units/{org.company.pk}/activity/?preview=1", htmx),
        "objective feedback": (f"/objectives/{org.company_objective.pk}/feedback/", htmx),
        "key result feedback": (f"/key-results/{org.company_kr.pk}/feedback/", htmx),
        "check-in feedback page": (f"/check-ins/{check_in.pk}/feedback/", {}),
        "objective (with chart)": (f"/objectives/{org.company_objective.pk}/", {}),
    }


def measure(size: tuple[int, int, int, int]) -> dict[str, int]:
    counts = {}
    with transaction.atomic():
        org = build_organisation(*size)
        check_in = add_feedback(org)
        client = Client()
        client.force_login(org.boss.user)
        for name, (url, headers) in pages(org, check_in).items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, **headers)
            assert response.status_code == 200, (name, response.status_code)
            counts[name] = len(queries)
        transaction.set_rollback(True)
    return counts


def test_the_rhythm_pages_run_the_same_number_of_queries_at_both_sizes(db):
    small = measure(SMALL)
    large = measure(LARGE)
    print(f"\n{'page':28} small  large")
    for name in small:
        print(f"{name:28} {small[name]:5}  {large[name]:5}")
    assert small == large
