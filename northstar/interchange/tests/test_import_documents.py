"""How documents from the Markdown, sheet and community-YAML readers map onto the
models: owner labels, cycles, key result sentences and results written inline."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from northstar.interchange.importer import NO_START, SAME_START_AND_TARGET, fiscal_quarter
from northstar.okrs import actions
from northstar.okrs.models import CheckIn, Cycle, KeyResult, Objective
from northstar.people.models import Organisation, Person, Unit

CASCADE = """\
# Our OKRs

### CEO: Grow revenue
* CMO: Fill the pipeline
  * Events: Run 3 events: 2/3 (67%)
  * Content: Publish 10 posts: X/10 (X%)
  * Web: Grow the website
    * Analytics: Preserve 100% of the tracking budget: 94%
    * Analytics: Launch the dashboard: Done
    * Analytics: Rework the funnel: 30% (design only)
* CFO: Close the books on time - 70% (two late months)
  * Hire 3 accountants and 2 auditors
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def cascade(db, tmp_path) -> str:
    return run(write(tmp_path, "okrs.md", CASCADE), "--cycle", "2019-Q4")


# --- owner labels and levels -----------------------------------------------------------------


def test_objective_labels_become_units_one_level_down_the_tree(cascade):
    ceo, cmo, web = (Unit.objects.get(name=name) for name in ("CEO", "CMO", "Web"))
    assert (ceo.kind, cmo.kind, web.kind) == ("company", "department", "team")
    assert (cmo.parent, web.parent) == (ceo, cmo)
    assert Objective.objects.get(title="Grow the website").level == "team"
    assert Objective.objects.get(title="Fill the pipeline").level == "department"


def test_key_result_labels_name_their_owner(cascade):
    events = KeyResult.objects.get(title="Run 3 events")
    assert events.owner == Person.objects.get(name="Events")
    assert events.objective.title == "Fill the pipeline"
    assert not Unit.objects.filter(name="Events").exists()


def test_a_label_names_an_existing_unit_when_there_is_one(db, tmp_path):
    marketing = Unit.objects.create(name="CMO", kind="department")
    run(write(tmp_path, "okrs.md", CASCADE), "--cycle", "2026-Q4")
    assert Objective.objects.get(title="Fill the pipeline").unit == marketing


def test_unlabelled_objectives_belong_to_the_company_or_their_parents_unit(db, tmp_path):
    text = "* Grow revenue in new markets\n  * Win more\n    * Sell 5 deals\n  * Sell 10 deals\n"
    run(write(tmp_path, "okrs.md", text), "--cycle", "2026-Q4")
    company = Unit.objects.get()
    assert (company.name, company.kind) == (Organisation.get().name, "company")
    assert set(Objective.objects.values_list("unit", flat=True)) == {company.pk}


# --- key result sentences and inline results -------------------------------------------------


def test_a_fraction_sets_the_target_and_records_the_value(cascade):
    events = KeyResult.objects.get(title="Run 3 events")
    assert (events.kind, events.start, events.target) == ("change", 0, 3)
    check_in = events.current_check_in
    assert (check_in.value, check_in.note) == (2, "2/3 (67%)")
    assert check_in.measured_on == date(2019, 12, 31)  # the cycle's end date


def test_a_result_in_a_cycle_not_over_yet_is_measured_today(db, tmp_path):
    today = Organisation.get().today()
    run(write(tmp_path, "okrs.md", CASCADE), "--cycle", "Q4", "--year", str(today.year + 1))
    assert KeyResult.objects.get(title="Run 3 events").current_check_in.measured_on == today


def test_a_placeholder_result_sets_the_target_but_records_no_value(cascade):
    posts = KeyResult.objects.get(title="Publish 10 posts")
    assert posts.target == 10
    assert not posts.check_ins.exists()
    assert posts.progress == 0


def test_a_percentage_on_a_measure_in_percent_is_its_value(cascade):
    budget = KeyResult.objects.get(title="Preserve 100% of the tracking budget")
    assert (budget.kind, budget.target, budget.unit) == ("at_least", 100, "%")
    assert budget.current_check_in.value == 94
    assert budget.progress == pytest.approx(0.94)


def test_done_completes_a_milestone(cascade):
    dashboard = KeyResult.objects.get(title="Launch the dashboard")
    assert dashboard.kind == "milestone"
    assert dashboard.current_check_in.done is True
    assert dashboard.progress == 1


def test_a_ticked_task_box_completes_a_milestone_and_leaves_the_title(db, tmp_path):
    text = "* Ship it\n  * [x] Release the editor\n  * [ ] Write the guide\n"
    run(write(tmp_path, "okrs.md", text), "--cycle", "2019-Q4")
    release = KeyResult.objects.get(title="Release the editor")
    assert (release.kind, release.current_check_in.done) == ("milestone", True)
    guide = KeyResult.objects.get(title="Write the guide")
    assert guide.current_check_in.done is False


def test_a_percentage_on_a_milestone_makes_it_percent_complete(cascade):
    funnel = KeyResult.objects.get(title="Rework the funnel")
    assert (funnel.kind, funnel.start, funnel.target, funnel.unit) == ("change", 0, 100, "%")
    assert funnel.current_check_in.value == 30
    assert funnel.current_check_in.note == "30% (design only)"


def test_an_objectives_written_result_is_its_reported_score(cascade):
    books = Objective.objects.get(title="Close the books on time")
    assert books.reported_score == pytest.approx(0.7)
    assert books.reported_text == "70% (two late months)"


def test_a_sentence_not_understood_is_a_milestone_for_review_never_an_error(cascade):
    hires = KeyResult.objects.get(title="Hire 3 accountants and 2 auditors")
    assert hires.kind == "milestone"
    assert hires.needs_review
    assert "several numbers" in hires.review_reason


def test_importing_the_outline_again_duplicates_nothing(cascade, tmp_path):
    counts = (Objective.objects.count(), KeyResult.objects.count(), CheckIn.objects.count())
    again = run(write(tmp_path, "okrs.md", CASCADE), "--cycle", "2019-Q4")
    assert (Objective.objects.count(), KeyResult.objects.count(), CheckIn.objects.count()) == (
        counts
    )
    assert "(0 new, 0 updated," in again


# --- measures from sheets ----------------------------------------------------------------------

SHEET = """\
KR ID,Team,Quarter,Quarter start,Quarter end,Objective,Key Result,Type,Start,Target,Commit zone
A,Ops,Q1,2026-01-01,2026-03-31,Run well,Keep uptime,metric,99.9,99.9,
B,Ops,Q1,2026-01-01,2026-03-31,Run well,Cut incidents,metric,,3,
C,Ops,Q1,2026-01-01,2026-03-31,Run well,Calm on-call,ordinal,,,Fewer pages
"""


@pytest.fixture
def sheet(db, tmp_path) -> str:
    return run(write(tmp_path, "okrs.csv", SHEET))


def test_start_equal_to_target_is_kept_and_flagged(sheet):
    uptime = KeyResult.objects.get(external_ref="A")
    assert (uptime.kind, uptime.start, uptime.target) == ("change", 99.9, 99.9)
    assert (uptime.needs_review, uptime.review_reason) == (True, SAME_START_AND_TARGET)
    actions.record_check_in(key_result=uptime, author=None, value=99.9)
    uptime.refresh_from_db()
    assert uptime.progress == 1


def test_a_metric_without_start_is_flagged_and_measures_from_its_first_check_in(sheet, tmp_path):
    run(write(tmp_path, "check_ins.csv", "KR ID,Date,Value\nB,2026-01-10,9\nB,2026-02-10,6\n"))
    incidents = KeyResult.objects.get(external_ref="B")
    assert (incidents.needs_review, incidents.review_reason) == (True, NO_START)
    assert (incidents.start, incidents.target) == (9, 3)
    assert incidents.progress == pytest.approx(0.5)


def test_a_reimport_keeps_the_baseline_taken_from_the_first_check_in(sheet, tmp_path):
    run(write(tmp_path, "check_ins.csv", "KR ID,Date,Value\nB,2026-01-10,9\n"))
    run(write(tmp_path, "okrs.csv", SHEET))
    assert KeyResult.objects.get(external_ref="B").start == 9


def test_an_ordinal_key_result_gets_the_four_levels(sheet):
    calm = KeyResult.objects.get(external_ref="C")
    assert calm.kind == "levels"
    assert calm.levels == [
        {"name": "fail", "score": 0.0, "description": ""},
        {"name": "commit", "score": 0.3, "description": "Fewer pages"},
        {"name": "target", "score": 0.7, "description": ""},
        {"name": "stretch", "score": 1.0, "description": ""},
    ]


def test_a_check_in_with_a_value_on_a_levels_key_result_is_refused(sheet, tmp_path):
    path = write(tmp_path, "check_ins.csv", "KR ID,Date,Value\nC,2026-01-10,3\n")
    with pytest.raises(CommandError, match=r"check_ins.csv, row 2.*give a zone"):
        run(path)


def test_a_zone_is_recorded_as_the_level(sheet, tmp_path):
    run(write(tmp_path, "check_ins.csv", "KR ID,Date,Zone\nC,2026-01-10,COMMIT\n"))
    calm = KeyResult.objects.get(external_ref="C")
    assert calm.current_check_in.level == "commit"
    assert calm.progress == pytest.approx(0.3)


def test_a_bare_quarter_with_dates_keeps_its_label(sheet):
    cycle = Cycle.objects.get()
    assert (cycle.name, cycle.start, cycle.end) == ("Q1", date(2026, 1, 1), date(2026, 3, 31))


def test_a_parent_outside_the_file_is_found_by_id_or_warned_about(db, tmp_path):
    cycle = Cycle.objects.create(
        name="2026", kind="year", start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    top = Objective.objects.create(title="Be great", cycle=cycle, external_ref="TOP")
    text = (
        "Objective,Key Result,Quarter,Parent\nBe good,Do it,2026-Q1,TOP\nBe ok,Do it,2026-Q1,NO\n"
    )
    out = run(write(tmp_path, "okrs.csv", text))
    assert Objective.objects.get(title="Be good").parent_objective == top
    assert Objective.objects.get(title="Be ok").parent_objective is None
    assert "aligned to 'NO', which is neither in the file nor in the database" in out


# --- cycles ----------------------------------------------------------------------------------


def test_without_a_cycle_it_asks_for_one(db, tmp_path):
    with pytest.raises(CommandError, match="pass --cycle NAME"):
        run(write(tmp_path, "okrs.md", CASCADE))


def test_a_cycle_is_taken_from_the_file_name_with_a_warning(db, tmp_path):
    out = run(write(tmp_path, "okrs_2019q2.md", CASCADE))
    cycle = Cycle.objects.get()
    assert (cycle.name, cycle.start, cycle.end) == ("2019-Q2", date(2019, 4, 1), date(2019, 6, 30))
    assert "using '2019-Q2' from the file's name" in out


def test_a_cycle_is_taken_from_the_front_matter_title(db, tmp_path):
    text = '---\ntitle: "Calendar Year 2018 Q3 OKRs"\n---\n' + CASCADE
    run(write(tmp_path, "okrs.md", text))
    assert Cycle.objects.get().name == "2018-Q3"


def test_a_bare_quarter_needs_a_year(db, tmp_path):
    with pytest.raises(CommandError, match="'Q4' has no year: pass --year"):
        run(write(tmp_path, "okrs.md", CASCADE), "--cycle", "Q4")


def test_a_bare_quarter_with_a_year_is_a_calendar_quarter(db, tmp_path):
    run(write(tmp_path, "okrs.md", CASCADE), "--cycle", "Q4", "--year", "2018")
    cycle = Cycle.objects.get()
    assert (cycle.name, cycle.start, cycle.end) == (
        "2018-Q4",
        date(2018, 10, 1),
        date(2018, 12, 31),
    )


def test_a_bare_quarter_follows_the_fiscal_year_when_it_does_not_start_in_january(db, tmp_path):
    org = Organisation.get()
    org.fiscal_year_start_month = 7
    org.save()
    run(write(tmp_path, "okrs.md", CASCADE), "--cycle", "Q4", "--year", "2024")
    cycle = Cycle.objects.get()
    assert (cycle.name, cycle.start, cycle.end) == (
        "FY2024-Q4",
        date(2025, 4, 1),
        date(2025, 6, 30),
    )


def test_fiscal_quarters_run_three_months_from_the_fiscal_start():
    q1 = fiscal_quarter(2024, 1, 10)
    assert (q1.start, q1.end) == (date(2024, 10, 1), date(2024, 12, 31))
    q2 = fiscal_quarter(2024, 2, 10)
    assert (q2.start, q2.end) == (date(2025, 1, 1), date(2025, 3, 31))


def test_an_existing_cycle_is_used_by_name(db, tmp_path):
    existing = Cycle.objects.create(name="Spring push", kind="custom")
    run(write(tmp_path, "okrs.md", CASCADE), "--cycle", "Spring push")
    assert set(Objective.objects.values_list("cycle", flat=True)) == {existing.pk}


# --- community YAML --------------------------------------------------------------------------

COMMUNITY = """\
Name: "Acme"
OKR:
  2026-Q1:
    Objective: "Grow"
    KeyResults:
      - Metric: "Sign 5 customers"
Projects:
  - Name: "Shop"
    Members:
      - Name: "Member A"
        OKR:
          2026-Q1:
            Objective: "Sell more"
            KeyResults:
              - Metric: "Close 3 deals"
"""


def test_members_objectives_are_personal_and_the_member_joins_the_project(db, tmp_path):
    run(write(tmp_path, "okrs.yml", COMMUNITY))
    member = Objective.objects.get(title="Sell more")
    assert (member.level, member.unit, member.owner.name) == ("individual", None, "Member A")
    assert member.owner.unit.name == "Shop"
    assert member.parent_objective.title == "Grow"
