"""`northstar tree` prints the cascade of the demo organisation."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from northstar.okrs import demo
from northstar.people.models import Organisation

TODAY = date(2026, 5, 13)
COMPANY = "Ship a faster, more reliable product"
DEPARTMENT = "Harden the platform for ten times today's load"
TEAM = "Make storage migrations boring"
PERSONAL = "Automate the storage migration runbook"


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One demo for the module, rolled back at the end: a build takes seconds."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield demo.build_demo(TODAY)
        transaction.set_rollback(True)


@pytest.fixture
def tree(built, db, monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: TODAY)

    def run(*args: str) -> list[str]:
        out = StringIO()
        call_command("tree", *args, stdout=out)
        return out.getvalue().splitlines()

    return run


def line_of(lines: list[str], title: str) -> int:
    return next(i for i, line in enumerate(lines) if line.strip().startswith(title + "  ["))


def indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def test_the_company_objective_is_a_root_with_level_owner_percent_and_health(tree):
    lines = tree("--cycle", "2026-Q2")
    assert lines[0].startswith("Brightloom · 2026-Q2")
    company = lines[line_of(lines, COMPANY)]
    assert indent(company) == 0
    assert re.search(
        r"\[Company · Hanna Lindqvist\]  \d+%  (on track|behind|at risk|stale)$", company
    )


def test_a_team_objective_nests_under_its_departments(tree):
    lines = tree("--cycle", "2026-Q2")
    department, team = line_of(lines, DEPARTMENT), line_of(lines, TEAM)
    assert department < team
    assert indent(lines[team]) == indent(lines[department]) + 4
    between = lines[department + 1 : team]
    assert all(indent(line) > indent(lines[department]) for line in between)


def test_key_results_show_current_and_target(tree):
    lines = tree("--cycle", "2026-Q2")
    kr = next(line for line in lines if "Grow weekly active teams" in line)
    assert kr.lstrip().startswith("• ")
    assert re.search(r": [\d\u202f]+ / 2\u202f600 teams  \d+%$", kr)
    milestone = next(line for line in lines if "Launch offline mode" in line)
    assert re.search(r": (done|not done|—) / done  \d+%$", milestone)
    aligned = next(line for line in lines if "Deliver the reliability programme" in line)
    assert "from the objectives aligned under it" in aligned


def test_the_default_cycle_is_the_one_containing_today(tree):
    assert tree()[0].startswith("Brightloom · 2026-Q2")


def test_unit_limits_the_tree_to_its_objectives_and_what_aligns_under_them(tree):
    lines = tree("--cycle", "2026-Q2", "--unit", "platform")
    assert indent(lines[line_of(lines, TEAM)]) == 0
    assert indent(lines[line_of(lines, PERSONAL)]) > 0
    assert not any(COMPANY in line or DEPARTMENT in line for line in lines)
    assert tree("--cycle", "2026-Q2", "--unit", "Engineering/Platform") == lines


def test_an_unknown_cycle_is_named_with_the_valid_ones(tree):
    with pytest.raises(CommandError, match=r"'2031-Q9'.*Cycles: 2026, 2026-Q1, 2026-Q2\."):
        tree("--cycle", "2031-Q9")


def test_an_unknown_unit_is_named_with_the_valid_ones(tree):
    with pytest.raises(CommandError, match=r"'Finance'.*Engineering.*Platform"):
        tree("--unit", "Finance")


def test_it_loads_the_cascade_in_a_few_queries(tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        tree("--cycle", "2026-Q2", "--unit", "Engineering")
