"""The demo organisation shows the weekly rhythm: celebrations, kudos, comments with
mentions, a progress history for the charts, and a check-in page for its member."""

from datetime import date

import pytest
from django.db import transaction
from django.test import Client, override_settings

from northstar.feedback.models import Celebration, Comment, Kudos, Mention
from northstar.insights.models import ProgressSnapshot
from northstar.notifications.models import Delivery
from northstar.okrs import demo
from northstar.okrs.models import Objective
from northstar.people.models import Organisation, Person, Unit

TODAY = date(2026, 5, 13)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: TODAY)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield demo.build_demo(TODAY)
        transaction.set_rollback(True)


@pytest.fixture
def summary(built, db):
    return built


def test_the_demo_has_a_conversation_and_celebrations(summary):
    assert Kudos.objects.count() >= 5
    assert Comment.objects.count() >= 2
    assert Mention.objects.exists()
    assert Celebration.objects.filter(created__date__lte=TODAY).exists()
    # Replaying history notified nobody.
    assert not Delivery.objects.exists()


def test_the_demo_fills_a_progress_history(summary):
    company = Objective.objects.filter(cycle__name=summary.quarter, level="company").first()
    days = ProgressSnapshot.objects.filter(objective=company).values_list("day", flat=True)
    assert len(days) >= 4
    assert max(days) <= TODAY


def test_the_demo_member_sees_the_check_in_page_and_the_feed(summary):
    member = Person.objects.get(email=summary.member_email)
    client = Client()
    client.force_login(member.user)
    page = client.get("/check-in/")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="check-in-row"') >= 1
    company = Unit.objects.get(parent__isnull=True)
    feed = client.get(f"/units/{company.pk}/activity/").content.decode()
    assert feed.count('data-testid="feed-entry"') == 20
    for kind in ("check_in", "kudos", "comment"):
        assert f'data-kind="{kind}"' in feed
