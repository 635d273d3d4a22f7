"""Every page runs the same number of queries for a small organisation and a 10× larger one.

The organisation is built with bulk_create (fast) and cached figures filled in directly,
as the actions would leave them. Each size is built inside a savepoint that is rolled back,
so both sizes are measured against otherwise identical, empty databases.

Run with `-s` to print the table of counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from northstar.okrs.models import CheckIn, Cycle, KeyResult, Level, Objective
from northstar.people.models import Organisation, Person, Unit

SMALL = (2, 2, 2, 3)  # departments, teams per department, people per team, check-ins
LARGE = (5, 4, 7, 30)  # 166 objectives against 15: 11 times the organisation


@dataclass
class Org:
    cycle: Cycle
    company: Unit
    department: Unit
    team: Unit
    boss: Person
    company_objective: Objective
    department_objective: Objective
    company_kr: KeyResult
    team_kr: KeyResult


def build_organisation(departments: int, teams: int, people: int, check_ins: int) -> Org:
    """N departments × M teams × K people, each with an objective and a key result; the
    boss owns the company objective and every department objective."""
    Organisation.get()
    cycle = Cycle.objects.create(
        name="2026-Q4", kind="quarter", start=date(2026, 10, 1), end=date(2026, 12, 31)
    )
    company = Unit.objects.create(name="Acme", kind="company")
    boss = Person.objects.create(
        name="Boss", unit=company, user=User.objects.create_user("boss", password="x")
    )
    company.leads.add(boss)
    depts = Unit.objects.bulk_create(
        Unit(name=f"Department {d}", kind="department", parent=company) for d in range(departments)
    )
    team_units = Unit.objects.bulk_create(
        Unit(name=f"Team {d}.{t}", kind="team", parent=dept)
        for d, dept in enumerate(depts)
        for t in range(teams)
    )
    persons = Person.objects.bulk_create(
        Person(name=f"Person {team.name}.{k}", unit=team, job_title="Engineer")
        for team in team_units
        for k in range(people)
    )

    def objectives(rows: list[dict]) -> list[Objective]:
        return Objective.objects.bulk_create(
            Objective(cycle=cycle, progress=0.4, last_check_in_on=date(2026, 11, 2), **row)
            for row in rows
        )

    def key_results(objs: list[Objective]) -> list[KeyResult]:
        return KeyResult.objects.bulk_create(
            KeyResult(
                objective=o,
                title=f"Key result of {o.title}",
                owner=o.owner,
                start=0,
                target=10,
                unit="things",
                progress=0.4,
                progress_raw=0.4,
                last_check_in_on=date(2026, 11, 2),
            )
            for o in objs
        )

    (company_objective,) = objectives(
        [dict(title="Company objective", owner=boss, unit=company, level=Level.COMPANY)]
    )
    (company_kr,) = key_results([company_objective])
    dept_objs = objectives(
        dict(
            title=f"Objective of {u.name}",
            owner=boss,
            unit=u,
            level=Level.DEPARTMENT,
            parent_key_result=company_kr,
        )
        for u in depts
    )
    dept_krs = key_results(dept_objs)
    kr_of_dept = {o.unit_id: kr for o, kr in zip(dept_objs, dept_krs, strict=True)}
    team_objs = objectives(
        dict(
            title=f"Objective of {u.name}",
            owner=persons[0],
            unit=u,
            level=Level.TEAM,
            parent_key_result=kr_of_dept[u.parent_id],
        )
        for u in team_units
    )
    team_krs = key_results(team_objs)
    team_obj_of = {o.unit_id: o for o in team_objs}
    individual = objectives(
        dict(
            title=f"Objective of {p.name}",
            owner=p,
            level=Level.INDIVIDUAL,
            parent_objective=team_obj_of[p.unit_id],
        )
        for p in persons
    )
    key_results(individual)

    history = CheckIn.objects.bulk_create(
        CheckIn(
            key_result=company_kr,
            value=i % 10,
            measured_on=date(2026, 9, 25) + timedelta(i),
            author=boss,
            confidence=5,
            note=f"Check-in {i}",
            outside_cycle=i < 6,
        )
        for i in range(check_ins)
    )
    KeyResult.objects.filter(pk=company_kr.pk).update(current_check_in=history[-1])
    return Org(
        cycle,
        company,
        depts[0],
        team_units[0],
        boss,
        company_objective,
        dept_objs[0],
        company_kr,
        team_krs[0],
    )


def pages(org: Org) -> dict[str, tuple[str, dict]]:
    htmx = {"HTTP_HX_REQUEST": "true"}
    return {
        "cascade": (f"/cycles/{org.cycle.pk}/", {}),
        "cascade, filtered": (
            f"/cycles/{org.cycle.pk}/?unit={org.company.pk}&owner={org.boss.pk}&status=stale",
            {},
        ),
        "cascade children partial": (
            f"/objectives/{org.company_objective.pk}/children/",
            htmx,
        ),
        "objective (company)": (f"/objectives/{org.company_objective.pk}/", {}),
        "objective (department)": (f"/objectives/{org.department_objective.pk}/", {}),
        "key result": (f"/key-results/{org.company_kr.pk}/", {}),
        "key result panel partial": (f"/key-results/{org.company_kr.pk}/", htmx),
        # Owned by someone else: the boss may check in only as a lead of a unit above.
        "key result (team)": (f"/key-results/{org.team_kr.pk}/", {}),
        "unit (company)": (f"/units/{org.company.pk}/", {}),
        "unit (department)": (f"/units/{org.department.pk}/", {}),
        "unit (team)": (f"/units/{org.team.pk}/", {}),
        "person": (f"/people/{org.boss.pk}/", {}),
        "my OKRs": ("/me/", {}),
        "search": ("/search/?q=objective", {}),
        "search, people": ("/search/?q=person", {}),
    }


def measure(size: tuple[int, int, int, int]) -> dict[str, int]:
    counts = {}
    with transaction.atomic():
        org = build_organisation(*size)
        client = Client()
        client.force_login(org.boss.user)
        for name, (url, headers) in pages(org).items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, **headers)
            assert response.status_code == 200, (name, response.status_code)
            counts[name] = len(queries)
        transaction.set_rollback(True)
    return counts


def test_it_builds_the_organisation_it_claims(db):
    with transaction.atomic():
        build_organisation(*LARGE)
        assert Objective.objects.count() == 1 + 5 + 5 * 4 + 5 * 4 * 7
        transaction.set_rollback(True)


def test_every_page_runs_the_same_number_of_queries_at_both_sizes(db):
    small = measure(SMALL)
    large = measure(LARGE)
    print(f"\n{'page':28} small  large")
    for name in small:
        print(f"{name:28} {small[name]:5}  {large[name]:5}")
    assert small == large
