"""Time a check-in on a leaf key result, and count its queries, at 1x and 10x the demo.

Run from the repository:  .venv/bin/python bench/checkin_rollup.py [--repeat N] [--scales 1,10]
(or `make bench`). It builds the demo organisation in a temporary SQLite database, so nothing
of yours is touched. A check-in rolls up only through its chain of parents, so its query count
must not grow with the organisation; the script exits with status 1 if it does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 5, 13)
# An individual objective's key result: the longest chain up to the company.
LEAF = "Automate 8 manual migration steps"


def setup_django(data_dir: str) -> None:
    os.environ["NORTHSTAR_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)  # always a throwaway SQLite database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def measure(scale: int, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from northstar.okrs import actions
    from northstar.okrs.demo import build_demo
    from northstar.okrs.models import KeyResult
    from northstar.people.models import Organisation

    started = time.perf_counter()
    summary = build_demo(TODAY, scale=scale)
    built = time.perf_counter() - started
    org = Organisation.get()
    pk = KeyResult.objects.filter(title=LEAF).order_by("pk").values_list("pk", flat=True)[0]
    timings, queries = [], []
    for n in range(repeat):
        # A fresh instance each time, as a web request or the CLI would load it.
        kr = KeyResult.objects.select_related("objective__cycle").get(pk=pk)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            actions.record_check_in(
                key_result=kr, author=None, value=n % 8, measured_on=TODAY, org=org
            )
            timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured.captured_queries))
    return {
        "scale": scale,
        "build_s": built,
        "objectives": summary.counts["objectives"],
        "people": summary.counts["people"],
        "median_ms": statistics.median(timings),
        "p90_ms": statistics.quantiles(timings, n=10)[-1] if repeat >= 2 else timings[0],
        "queries": max(queries),
    }


def report(rows: list[dict]) -> None:
    print(f"Check-in on a leaf key result ({LEAF!r}), rolled up to the company:")
    print("scale  people  objectives  build (s)  median (ms)  p90 (ms)  queries")
    for r in rows:
        print(
            f"{r['scale']:>5}  {r['people']:>6}  {r['objectives']:>10}  {r['build_s']:>9.1f}"
            f"  {r['median_ms']:>11.1f}  {r['p90_ms']:>8.1f}  {r['queries']:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="Check-ins timed per scale.")
    parser.add_argument("--scales", default="1,10", help="Comma-separated demo scales.")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    with tempfile.TemporaryDirectory(prefix="northstar-bench-") as data_dir:
        setup_django(data_dir)
        rows = [measure(scale, args.repeat) for scale in scales]
    report(rows)
    if len({r["queries"] for r in rows}) > 1:
        sys.exit("The query count of a check-in grows with the organisation.")
    print("The query count does not grow with the organisation.")


if __name__ == "__main__":
    main()
