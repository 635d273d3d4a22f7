"""Shared test personas: a small cascading organisation built through the real actions.

    company "Northwind" ── department "Engineering" ── team "Platform"
    ada:  organisation admin (superuser), leads the company
    ben:  leads Engineering
    cleo: member of Platform, owns the team objective and an individual one
    dev:  member of Platform with no OKRs of his own

Objectives (cycle "2026-Q4", 1 Oct – 31 Dec 2026; the year "2026" above it):
    company "Become the tool teams keep using"
      ← kr_company: "Raise weekly active teams from 100 to 200"
    department "Ship a faster product"  aligned to kr_company (which takes progress from it)
      ← kr_latency: "Cut p95 latency from 800 to 400" (decrease), kr_release (milestone)
    team "Make the API fast" aligned to department objective
      ← kr_cache: "Raise cache hit rate from 50 to 90" (%)
    individual "Learn query tuning" (cleo) aligned to team objective ← kr_course (levels)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User

from northstar.okrs import actions
from northstar.okrs.models import Cycle, KeyResult, Objective
from northstar.people.models import Organisation, Person, Unit

PASSWORD = "correct horse battery staple"


@dataclass
class Personas:
    org: Organisation
    company: Unit
    engineering: Unit
    platform: Unit
    ada: Person
    ben: Person
    cleo: Person
    dev: Person
    year: Cycle
    quarter: Cycle
    company_objective: Objective
    department_objective: Objective
    team_objective: Objective
    personal_objective: Objective
    kr_company: KeyResult
    kr_latency: KeyResult
    kr_release: KeyResult
    kr_cache: KeyResult
    kr_course: KeyResult


def make_person(name: str, unit: Unit, *, admin: bool = False) -> Person:
    email = f"{name}@northwind.test"
    user = User.objects.create_user(
        username=email, email=email, password=PASSWORD, is_staff=admin, is_superuser=admin
    )
    return Person.objects.create(name=name.capitalize(), email=email, user=user, unit=unit)


def build_personas() -> Personas:
    org = Organisation.get()
    org.name = "Northwind"
    org.time_zone = "Europe/Zurich"
    org.save()
    company = Unit.objects.create(name="Northwind", kind=Unit.Kind.COMPANY)
    engineering = Unit.objects.create(name="Engineering", kind="department", parent=company)
    platform = Unit.objects.create(name="Platform", kind=Unit.Kind.TEAM, parent=engineering)
    ada = make_person("ada", company, admin=True)
    ben = make_person("ben", engineering)
    cleo = make_person("cleo", platform)
    dev = make_person("dev", platform)
    company.leads.add(ada)
    engineering.leads.add(ben)
    year = Cycle.objects.create(
        name="2026", kind="year", start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    quarter = Cycle.objects.create(
        name="2026-Q4", kind="quarter", start=date(2026, 10, 1), end=date(2026, 12, 31), parent=year
    )

    def objective(title: str, owner: Person, unit: Unit | None, **parent) -> Objective:
        return actions.save_objective(
            Objective(title=title, cycle=quarter, owner=owner, unit=unit, **parent)
        )

    def key_result(objective: Objective, title: str, **measure) -> KeyResult:
        return actions.save_key_result(
            KeyResult(objective=objective, title=title, owner=objective.owner, **measure)
        )

    company_objective = objective("Become the tool teams keep using", ada, company)
    kr_company = key_result(
        company_objective,
        "Raise weekly active teams from 100 to 200",
        start=100,
        target=200,
        unit="teams",
        progress_source=KeyResult.Source.ALIGNED,
    )
    department_objective = objective(
        "Ship a faster product", ben, engineering, parent_key_result=kr_company
    )
    kr_latency = key_result(
        department_objective, "Cut p95 latency from 800 to 400", start=800, target=400, unit="ms"
    )
    kr_release = key_result(department_objective, "Release the new editor", kind="milestone")
    team_objective = objective(
        "Make the API fast", cleo, platform, parent_objective=department_objective
    )
    kr_cache = key_result(
        team_objective, "Raise cache hit rate from 50 to 90", start=50, target=90, unit="%"
    )
    personal_objective = objective(
        "Learn query tuning", cleo, None, parent_objective=team_objective
    )
    kr_course = key_result(personal_objective, "Finish the tuning course", kind="levels")
    return Personas(**{k: v for k, v in locals().items() if k in Personas.__annotations__})


# --- everyone the access matrix needs ---------------------------------------------------------
#
#   company "Northwind" ── department "Sales" (led by erin; finn is a member)
#   gus:  a viewer (Person.role viewer) in Platform
#   hana: member of Platform, named contributor on kr_cache and kr_deal
#   ivy:  organisation admin by role (not a superuser; leads nothing)
#   private "Acquire Quillstone Analytics" (cleo, Platform), aligned to the department
#     objective beside the team objective ← kr_deal: "Sign the Quillstone term sheet"
#   one check-in on kr_cache and one on kr_deal, each with a note


@dataclass
class AccessPersonas:
    base: Personas
    sales: Unit
    erin: Person
    finn: Person
    gus: Person
    hana: Person
    ivy: Person
    private_objective: Objective
    kr_deal: KeyResult
    public_note: str
    private_note: str


def build_access_personas(personas: Personas) -> AccessPersonas:
    p = personas
    sales = Unit.objects.create(name="Sales", kind="department", parent=p.company)
    erin = make_person("erin", sales)
    finn = make_person("finn", sales)
    gus = make_person("gus", p.platform)
    Person.objects.filter(pk=gus.pk).update(role=Person.Role.VIEWER)
    gus.role = Person.Role.VIEWER
    hana = make_person("hana", p.platform)
    ivy = make_person("ivy", p.company)
    Person.objects.filter(pk=ivy.pk).update(role=Person.Role.ADMIN)
    ivy.role = Person.Role.ADMIN
    sales.leads.add(erin)
    private_objective = actions.save_objective(
        Objective(
            title="Acquire Quillstone Analytics",
            cycle=p.quarter,
            owner=p.cleo,
            unit=p.platform,
            parent_objective=p.department_objective,
            is_private=True,
        )
    )
    kr_deal = actions.save_key_result(
        KeyResult(
            objective=private_objective,
            title="Sign the Quillstone term sheet",
            owner=p.cleo,
            start=0,
            target=10,
        )
    )
    p.kr_cache.contributors.add(hana)
    kr_deal.contributors.add(hana)
    public_note = "Warm-up job Zephyr"
    private_note = "Due diligence Marlowe"
    when = date(2026, 11, 2)
    actions.record_check_in(key_result=p.kr_cache, author=p.cleo, value=60, measured_on=when,
                            note=public_note)  # fmt: skip
    actions.record_check_in(key_result=kr_deal, author=p.cleo, value=3, measured_on=when,
                            note=private_note)  # fmt: skip
    return AccessPersonas(
        p, sales, erin, finn, gus, hana, ivy, private_objective, kr_deal, public_note, private_note
    )


def empty_database() -> None:
    """Empty every table inside a test, as if the database were new (sequences included).

    PostgreSQL refuses to TRUNCATE while deferred foreign-key checks of the test's own
    transaction are pending, so those checks run first.
    """
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
