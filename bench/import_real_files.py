"""Time the import of each real OKR file (../shared/data) into a fresh database.

Run from the repository:  .venv/bin/python bench/import_real_files.py
Each case gets its own temporary SQLite database (NORTHSTAR_DATA_DIR), so nothing of
yours is touched. Prints wall-clock seconds per `northstar import` run, start-up included.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
CASES = {
    "gitlab_2018q3_cascade.md": [],
    "nodejs_commcomm_okr_2020.md": [],
    "startupsonoma_okr_org_project_member.yml": ["--year", "2018"],
    "puzzle_okrs.csv + puzzle_checkins.csv": ["--timezone", "Europe/Zurich"],
}


def main() -> None:
    if not DATA.is_dir():
        sys.exit(f"The real files are missing: expected them in {DATA}")
    manage = [sys.executable, str(REPO / "manage.py")]
    started = time.perf_counter()
    subprocess.run([*manage, "import", "--help"], capture_output=True, check=True)
    print(f"{time.perf_counter() - started:6.2f} s  start-up alone (included below)")
    for case, options in CASES.items():
        files = [str(DATA / name.strip()) for name in case.split("+")]
        with tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "NORTHSTAR_DATA_DIR": data_dir}
            subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
            started = time.perf_counter()
            result = subprocess.run(
                [*manage, "import", *files, *options], env=env, capture_output=True, text=True
            )
            seconds = time.perf_counter() - started
        summary = (result.stdout.strip().splitlines() or [result.stderr.strip()])[0]
        print(f"{seconds:6.2f} s  {case}\n          {summary}")


if __name__ == "__main__":
    main()
