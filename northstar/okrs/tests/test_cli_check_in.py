"""`northstar check-in` records a check-in from scripts, through the same action as the web."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from northstar.okrs.models import CheckIn


def check_in(*args: str) -> str:
    out = StringIO()
    call_command("check_in", *args, stdout=out)
    return out.getvalue()


def test_by_external_reference(personas):
    kr = personas.kr_cache
    kr.external_ref = "API-CACHE"
    kr.save()
    out = check_in("API-CACHE", "70", "--confidence", "7", "--note", "Warm-up job", "--date",
                   "2026-11-02")  # fmt: skip
    made = CheckIn.objects.get(key_result=kr)
    assert (made.value, made.confidence, made.note, made.author) == (70, 7, "Warm-up job", None)
    assert str(made.measured_on) == "2026-11-02"
    assert "Key result: 50% (was 0%)" in out
    assert "Make the API fast" in out


def test_by_northstar_reference_and_as_a_person(personas):
    kr = personas.kr_cache
    out = check_in(f"kr-{kr.pk}", "90", "--as", personas.cleo.email.upper())
    made = CheckIn.objects.get(key_result=kr)
    assert made.author == personas.cleo
    assert "Key result: 100%" in out and "for Cleo" in out


def test_done_and_not_done_for_a_milestone(personas):
    kr = personas.kr_release
    check_in(f"KR-{kr.pk}", "done")
    kr.refresh_from_db()
    assert kr.current_check_in.done is True and kr.progress == 1.0
    check_in(f"KR-{kr.pk}", "not-done")
    kr.refresh_from_db()
    assert kr.current_check_in.done is False and kr.progress == 0.0


def test_a_level_by_name(personas):
    kr = personas.kr_course
    out = check_in(f"KR-{kr.pk}", "Target")
    kr.refresh_from_db()
    assert kr.current_check_in.level == "target"
    assert "Key result: 70%" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["KR-999999", "5"], "No key result has the reference 'KR-999999'"),
        (["{cache}", "fast"], "'fast' is not a number"),
        (["{release}", "maybe"], "Use done or not-done"),
        (["{course}", "legendary"], "not a level; use one of fail, commit, target, stretch"),
        (["{cache}", "60", "--confidence", "11"], "Confidence goes from 0 to 10, not 11"),
        (["{cache}", "60", "--as", "nobody@northwind.test"], "No person has the email"),
        (["{cache}", "60", "--date", "yesterday"], "not a date"),
        (["{company}", "150"], "takes its progress from the objectives aligned under it"),
        (["", "5"], "Give the key result's reference"),
        (["  ", "5"], "Give the key result's reference"),
        # A typo'd year would pin the current value for good: check-ins are append-only.
        (["{cache}", "60", "--date", "2099-01-01"], "cannot be in the future"),
        (["{cache}", "60", "--date", "1899-12-31"], "cannot be before 1900"),
        (["{cache}", "60", "--note", "x" * 6000], "5,000 characters or fewer"),
    ],
)
def test_errors_say_what_is_wrong_and_write_nothing(personas, args, message):
    refs = {
        "cache": personas.kr_cache,
        "release": personas.kr_release,
        "course": personas.kr_course,
        "company": personas.kr_company,
    }
    args = [a.format(**{k: f"KR-{kr.pk}" for k, kr in refs.items()}) for a in args]
    before = personas.kr_cache.progress
    with pytest.raises(CommandError, match=message):
        check_in(*args)
    assert not CheckIn.objects.exists()
    personas.kr_cache.refresh_from_db()
    assert personas.kr_cache.progress == before


def northstar_command() -> list[str]:
    """The installed console script, as people run it; `python -m northstar` without one."""
    script = Path(sys.executable).with_name("northstar")
    return [str(script)] if script.exists() else [sys.executable, "-m", "northstar"]


def test_the_console_script_works_end_to_end(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # a throwaway SQLite
    env |= {"NORTHSTAR_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "northstar.settings"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*northstar_command(), *args], env=env, capture_output=True, text=True, timeout=300
        )

    assert run("migrate", "-v0").returncode == 0
    assert run("demo", "--no-serve", "--today", "2026-05-13").returncode == 0
    done = run("check-in", "BL-WAT", "2500", "--confidence", "8", "--as",
               "admin@brightloom.example")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Recorded 2\u202f500 teams on BL-WAT" in done.stdout
    assert "Key result: 88%" in done.stdout
    refused = run("check-in", "BL-WAT", "lots")
    assert refused.returncode != 0 and "'lots' is not a number" in refused.stderr
    assert "Turn new sign-ups into active teams" in run("tree", "--unit", "Product").stdout
