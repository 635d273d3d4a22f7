"""The environment drives the settings: data dir, secret key, DATABASE_URL, SQLite pragmas."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_settings(env: dict[str, str], code: str) -> str:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update(env, DJANGO_SETTINGS_MODULE="northstar.settings")
    script = "import django; django.setup(); from django.conf import settings; " + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=full_env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_it_keeps_the_database_and_a_generated_secret_in_the_data_dir(tmp_path):
    out = run_settings(
        {"NORTHSTAR_DATA_DIR": str(tmp_path)},
        "print(settings.DATABASES['default']['NAME']); print(settings.SECRET_KEY)",
    )
    name, key = out.splitlines()
    assert Path(name) == tmp_path / "northstar.sqlite3"
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert len(key) > 40
    again = run_settings({"NORTHSTAR_DATA_DIR": str(tmp_path)}, "print(settings.SECRET_KEY)")
    assert again == key


def test_the_data_dir_and_database_are_private_to_their_owner(tmp_path):
    data = tmp_path / "new" / "data"
    run_settings(
        {"NORTHSTAR_DATA_DIR": str(data)},
        "from django.db import connection; connection.cursor().execute('CREATE TABLE t (x)')",
    )
    assert data.stat().st_mode & 0o777 == 0o700
    for name in ("northstar.sqlite3", "secret_key"):
        assert (data / name).stat().st_mode & 0o777 == 0o600


def test_a_database_readable_by_others_is_tightened(tmp_path):
    database = tmp_path / "northstar.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE kept (x)")
    database.chmod(0o644)
    tables = run_settings(
        {"NORTHSTAR_DATA_DIR": str(tmp_path)},
        "from django.db import connection; print(connection.introspection.table_names())",
    )
    assert database.stat().st_mode & 0o777 == 0o600
    assert "kept" in tables  # tightened, not replaced


def test_database_url_overrides_the_database(tmp_path):
    out = run_settings(
        {
            "NORTHSTAR_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://someone@127.0.0.1:5432/northstar",
        },
        "d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'])",
    )
    assert out == "django.db.backends.postgresql northstar 127.0.0.1"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    out = run_settings(
        {"NORTHSTAR_DATA_DIR": str(tmp_path)},
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0]); "
        "print(settings.DATABASES['default']['OPTIONS']['transaction_mode'])",
    )
    assert out.splitlines() == ["wal", "IMMEDIATE"]
    with sqlite3.connect(tmp_path / "northstar.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("argv", [["version"], ["--version"]])
def test_the_cli_answers_version_without_django(argv):
    result = subprocess.run(
        [sys.executable, "-m", "northstar", *argv], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.strip()[0].isdigit()
