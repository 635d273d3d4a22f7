"""The demo organisation: deterministic, complete, consistent, and harmless to real data."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from northstar.audit.models import AuditEvent
from northstar.okrs import actions, demo
from northstar.okrs.management.commands import demo as demo_command
from northstar.okrs.models import CheckIn, Cycle, KeyResult, Objective, State
from northstar.okrs.progress import Health
from northstar.people.models import Organisation, Person, Unit

TODAY = date(2026, 5, 13)  # mid-quarter: Q2 2026 runs 1 April – 30 June


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One demo for the whole module, rolled back at the end (a build takes seconds)."""
    # The same fast hasher as the function-scoped fixture in conftest, which a module-scoped
    # fixture runs before.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        summary = demo.build_demo(TODAY)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def summary(built, db) -> demo.DemoSummary:
    return built


@pytest.fixture
def empty(db) -> None:
    """Tests in this module run above the shared demo; these need a database without it."""
    demo.wipe()
    Organisation.objects.all().delete()


def quarter_objectives() -> list[Objective]:
    return list(Objective.objects.filter(cycle__name="2026-Q2").select_related("cycle"))


def dump() -> list[tuple]:
    """Everything a person would see, without primary keys (a rebuild gets new ones)."""
    rows: list[tuple] = []
    for o in Objective.objects.select_related("cycle", "owner", "unit").order_by("pk"):
        rows.append(
            (o.cycle.name, o.title, o.level, o.owner.email, o.unit and o.unit.name, o.state,
             o.outcome, o.progress, o.last_check_in_on, o.created_at)
        )  # fmt: skip
    for kr in KeyResult.objects.select_related("objective", "owner").order_by("pk"):
        rows.append(
            (kr.objective.title, kr.title, kr.kind, kr.start, kr.target, kr.low, kr.high,
             kr.relative, kr.progress_raw, kr.progress, kr.last_check_in_on, kr.owner.email)
        )  # fmt: skip
    for c in CheckIn.objects.select_related("key_result", "author").order_by("pk"):
        rows.append(
            (c.key_result.title, c.measured_on, c.value, c.level, c.done, c.confidence, c.note,
             c.author and c.author.email, c.created_at)
        )  # fmt: skip
    for p in Person.objects.select_related("unit", "manager").order_by("pk"):
        rows.append((p.name, p.email, p.unit.name, p.manager and p.manager.email, p.job_title))
    return rows


def test_building_twice_gives_the_same_demo(summary):
    first = dump()
    again = demo.build_demo(TODAY)
    assert again == summary
    assert dump() == first
    assert Organisation.objects.get().is_demo


def test_rebuilding_after_someone_used_the_demo_works(summary):
    """A check-in by a demo person leaves an audit event whose actor PROTECTs that person;
    the rebuild must still wipe everything and give the same demo."""
    first = dump()
    member = Person.objects.get(email=summary.member_email)
    key_result = KeyResult.objects.filter(objective__cycle__name="2026-Q2", kind="change").first()
    actions.record_check_in(
        key_result=key_result, author=member, actor=member, value=key_result.target,
        measured_on=TODAY,
    )  # fmt: skip
    assert AuditEvent.objects.filter(actor=member).exists()
    again = demo.build_demo(TODAY)
    assert again == summary
    assert dump() == first
    assert not AuditEvent.objects.filter(actor__email=summary.member_email).exists()


def test_it_is_a_company_of_about_forty_people_in_departments_and_teams(summary):
    assert Unit.objects.filter(kind="company").count() == 1
    departments = set(Unit.objects.filter(kind="department").values_list("name", flat=True))
    assert {"Engineering", "Product", "Sales", "Marketing", "Customer Success"} <= departments
    assert Unit.objects.filter(kind="team", parent__kind="department").count() >= 10
    assert 35 <= Person.objects.count() <= 45
    assert not Person.objects.filter(manager__isnull=True).exclude(email=demo.ADMIN_EMAIL)
    assert not Unit.objects.filter(leads__isnull=True).exists()


def test_about_sixty_objectives_cascade_over_all_four_levels(summary):
    objectives = quarter_objectives()
    levels = Counter(o.level for o in objectives)
    assert 55 <= len(objectives) <= 65
    assert 3 <= levels["company"] <= 4
    assert levels["department"] >= 2 * 5 and levels["team"] >= 13 and levels["individual"] >= 13
    by_level = {o.pk: o.level for o in objectives}
    parents = {(o.level, by_level[_parent_objective_id(o)]) for o in objectives if o.parent}
    assert {("department", "company"), ("team", "department"), ("individual", "team")} <= parents
    assert all(o.parent for o in objectives if o.level != "company")


def _parent_objective_id(objective: Objective) -> int:
    if objective.parent_objective_id:
        return objective.parent_objective_id
    return objective.parent_key_result.objective_id


def test_key_results_come_in_every_kind(summary):
    krs = list(KeyResult.objects.filter(objective__cycle__name="2026-Q2"))
    kinds = {kr.kind for kr in krs}
    assert kinds == {"change", "at_least", "at_most", "within", "milestone", "levels"}
    assert {kr.direction for kr in krs if kr.kind == "change"} >= {"increase", "decrease"}
    aligned = [kr for kr in krs if kr.progress_source == "aligned"]
    assert aligned and all(kr.aligned_objectives.exists() for kr in aligned)
    relative = [kr for kr in krs if kr.relative == -0.3]
    assert relative and relative[0].title.startswith("Cut")
    assert relative[0].start is not None  # its first check-in became the baseline
    assert any(kr.levels for kr in krs if kr.kind == "levels")  # custom levels too


def test_weeks_of_check_ins_up_to_today_with_varied_confidence(summary):
    check_ins = CheckIn.objects.filter(key_result__objective__cycle__name="2026-Q2")
    days = sorted(set(check_ins.values_list("measured_on", flat=True)))
    assert days[0] >= date(2026, 4, 1) and days[-1] <= TODAY
    assert (days[-1] - days[0]).days >= 28
    assert len(set(check_ins.values_list("confidence", flat=True))) >= 4
    assert check_ins.exclude(note="").count() > 20
    assert check_ins.filter(author__isnull=False).count() == check_ins.count()


def test_some_objectives_are_behind_at_risk_or_stale(summary):
    org = Organisation.get()
    health = Counter(o.health(org, TODAY) for o in quarter_objectives())
    assert health[Health.ON_TRACK] > 20
    assert health[Health.BEHIND] >= 2
    assert health[Health.AT_RISK] >= 2
    assert 1 <= health[Health.STALE] <= 2


def test_roll_ups_are_what_the_actions_compute(summary):
    for objective in Objective.objects.all():
        assert objective.progress == pytest.approx(objective.compute_progress())


def test_the_previous_quarter_is_closed_history(summary):
    previous = Cycle.objects.get(name="2026-Q1")
    assert previous.parent.name == "2026"
    objectives = Objective.objects.filter(cycle=previous)
    assert objectives and all(o.state == State.CLOSED and o.outcome for o in objectives)
    assert CheckIn.objects.filter(key_result__objective__cycle=previous).count() > 20
    assert Cycle.objects.get(name="2026-Q2").parent == previous.parent


def test_people_can_sign_in_and_one_is_an_admin(summary):
    admin = User.objects.get(username=summary.admin_email)
    member = User.objects.get(username=summary.member_email)
    assert admin.is_superuser and not member.is_superuser
    assert admin.check_password(demo.PASSWORD) and member.check_password(demo.PASSWORD)
    assert all(
        email.endswith(".example") for email in Person.objects.values_list("email", flat=True)
    )
    assert member.person.objectives.filter(level="individual").exists()


def test_it_refuses_a_database_with_real_data(empty):
    Unit.objects.create(name="Acme", kind="company")
    with pytest.raises(CommandError, match="not from a demo"):
        call_command("demo", "--no-serve", "--today", "2026-05-13")
    assert list(Unit.objects.values_list("name", flat=True)) == ["Acme"]
    assert not Person.objects.exists() and not Cycle.objects.exists()
    assert not Organisation.objects.filter(is_demo=True).exists()


def test_it_refuses_an_account_made_by_hand(empty):
    User.objects.create_user("someone@example.com", password="x")
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", "--today", "2026-05-13")
    assert User.objects.count() == 1 and not Unit.objects.exists()


def test_the_command_builds_prints_how_to_sign_in_and_serves(empty, monkeypatch, capsys):
    served = []
    monkeypatch.setattr(demo_command, "call_command", lambda *a, **kw: served.append((a, kw)))
    monkeypatch.setattr(demo_command, "check_can_listen", lambda host, port: None)
    call_command("demo", "--today", "2026-05-13", "--port", "8123")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/" in out
    assert demo.ADMIN_EMAIL in out and demo.PASSWORD in out and "@brightloom.example" in out
    assert served == [(("serve",), {"port": 8123})]


def test_a_today_in_the_future_is_refused_before_anything_is_written(empty):
    # Its check-ins would be dated in the future, which record_check_in refuses.
    with pytest.raises(CommandError, match="in the future"):
        call_command("demo", "--no-serve", "--today", "2099-01-01")
    assert not Organisation.objects.exists() and not Cycle.objects.exists()


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="not a date"):
        call_command("demo", "--no-serve", "--today", "13/05/2026")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "3000-01-01"])
def test_a_date_outside_the_demo_years_is_refused(empty, day):
    with pytest.raises(CommandError, match="outside the years the demo supports"):
        call_command("demo", "--no-serve", "--today", day)
    assert not Person.objects.exists()


def test_a_port_out_of_range_is_refused_before_building(empty):
    with pytest.raises(CommandError, match="out of range"):
        call_command("demo", "--today", "2026-05-13", "--port", "99999")
    assert not Person.objects.exists()


def test_a_port_in_use_is_refused_before_building(empty, monkeypatch):
    def busy(host: str, port: int) -> None:
        raise CommandError(f"Cannot listen on {host}:{port}: the port is already in use")

    monkeypatch.setattr(demo_command, "check_can_listen", busy)
    with pytest.raises(CommandError, match="already in use"):
        call_command("demo", "--today", "2026-05-13", "--port", "8123")
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("day", "bounds"),
    [
        (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 5, 13), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_quarter_bounds(day, bounds):
    assert demo.quarter_bounds(day) == bounds


def test_scale_multiplies_teams_people_and_objectives(empty):
    counts = demo.build_demo(TODAY, scale=2).counts
    assert counts["teams"] == 26 and counts["departments"] == 6
    assert 70 <= counts["people"] <= 90
    assert counts["team objectives"] == 44 and counts["individual objectives"] == 42
