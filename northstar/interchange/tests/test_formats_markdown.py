"""Reading OKRs written as Markdown outlines."""

from pathlib import Path

import pytest

from northstar.interchange.document import Document, ObjectiveDoc
from northstar.interchange.formats.markdown import read_markdown
from northstar.testdata import SHARED_DATA

DATA = SHARED_DATA
GITLAB = DATA / "gitlab_2018q3_cascade.md"
NODEJS = DATA / "nodejs_commcomm_okr_2020.md"


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def _depth(objective: ObjectiveDoc) -> int:
    """Levels from this objective down to its deepest key result."""
    below = [_depth(child) for child in objective.children]
    own = 2 if objective.key_results else 1
    return max([own, *(1 + depth for depth in below)])


def _titles(document: Document) -> list[str]:
    return [o.title for o in document.all_objectives()] + [
        k.title for k in document.all_key_results()
    ]


@pytest.fixture(scope="module")
def gitlab():
    return read_markdown(GITLAB, source="gitlab.md")


@pytest.fixture(scope="module")
def nodejs():
    return read_markdown(NODEJS, source="nodejs.md")


# --- GitLab's 2018-Q3 cascade ----------------------------------------------------------------


def test_gitlab_has_the_three_ceo_headings_as_top_objectives(gitlab):
    assert len(gitlab.objectives) == 3
    assert [o.owner_label for o in gitlab.objectives] == ["CEO", "CEO", "CEO"]
    assert gitlab.objectives[0].title.startswith("Grow Incremental ACV according to plan.")
    assert gitlab.objectives[2].title.startswith("Great team.")
    assert {o.cycle for o in gitlab.all_objectives()} == {None}
    assert all(o.location.file == "gitlab.md" for o in gitlab.all_objectives())


def test_gitlab_cascade_is_at_least_four_levels_deep(gitlab):
    assert max(_depth(o) for o in gitlab.objectives) >= 4


def test_gitlab_retrospective_is_not_read(gitlab):
    retrospective = _line_of(GITLAB, "## Retrospective")
    items = list(gitlab.all_objectives()) + list(gitlab.all_key_results())
    assert all(item.location.line < retrospective for item in items)
    titles = _titles(gitlab)
    assert not {"Good", "Bad", "Try"} & set(titles)
    assert not any("RepManager" in title or "Rails hiring" in title for title in titles)


def test_gitlab_front_matter_and_toc_are_skipped(gitlab):
    titles = _titles(gitlab)
    assert "TOC" not in titles
    assert not any("markdown_page" in title or "{:" in title for title in titles)
    assert not any("On this page" in title for title in titles)


def test_gitlab_inline_result_and_owner_label(gitlab):
    plan = [
        k
        for k in gitlab.all_key_results()
        if k.owner_label == "Plan" and k.title.startswith("Implement 10 performance improvements")
    ]
    assert len(plan) == 1
    assert plan[0].result_text == "8/10 (80%)"
    assert plan[0].title == "Implement 10 performance improvements"
    assert "https://gitlab.com/groups/gitlab-org/-/epics/247" in plan[0].description
    assert "[performance improvements]" in plan[0].raw["line"]


def test_gitlab_tab_indented_line_nests_like_its_space_indented_sibling(gitlab):
    def parent_of(prefix: str) -> ObjectiveDoc:
        [parent] = [
            o
            for o in gitlab.all_objectives()
            for k in o.key_results
            if k.owner_label == "Frontend Discussion" and k.title.startswith(prefix)
        ]
        return parent

    spaces = parent_of("Preserve 100%")
    tab = parent_of("Implement 5")
    assert tab is spaces
    assert (tab.owner_label, tab.title) == ("Frontend", "Implement 10 performance improvements")


def test_gitlab_label_only_bullets_group_their_children(gitlab):
    ceo = gitlab.objectives[1]
    vpe = next(o for o in ceo.children if o.owner_label == "VPE")
    assert vpe.title == "Make GitLab.com ready for mission-critical customer workloads"
    assert vpe.result_text.startswith("70% (moved to GCP")
    # "Dev Backend" and "Quality" are groups: their lines belong to the VPE objective.
    labels = {k.owner_label for k in vpe.key_results}
    assert {"Plan", "Geo", "Quality", "UX Research"} <= labels
    assert not any(o.title in {"Dev Backend", "Quality", "UX"} for o in gitlab.all_objectives())
    product = [k for k in ceo.key_results if k.owner_label == "Product"]
    assert len(product) == 4


def test_gitlab_wrapped_lines_join_their_bullet(gitlab):
    titles = _titles(gitlab)
    assert any(
        t.startswith("Create and apply informative template for team handbook pages across")
        for t in titles
    )
    assert not any(t.startswith("across department") for t in titles)


# --- Node.js Community Committee --------------------------------------------------------------


def test_nodejs_has_four_objectives_and_thirteen_key_results(nodejs):
    assert len(list(nodejs.all_objectives())) == 4
    assert len(nodejs.objectives) == 4
    assert len(list(nodejs.all_key_results())) == 13
    assert nodejs.objectives[0].title == "Bring more diverse perspectives to our work"
    assert [len(o.key_results) for o in nodejs.objectives] == [2, 6, 3, 2]


def test_nodejs_explanations_before_the_okrs_are_ignored(nodejs):
    start = _line_of(NODEJS, "OKRs (2020 Set 1)")
    items = list(nodejs.all_objectives()) + list(nodejs.all_key_results())
    assert all(item.location.line > start for item in items)


# --- rules on small outlines ------------------------------------------------------------------


def test_text_is_accepted_directly_and_tabs_count_four_columns():
    text = (
        "# Team OKRs\n"
        "\n"
        "- Objective one\n"
        "    - Child objective\n"
        "\t    - Deep key result\n"
        "\t- Key result beside the child\n"
        "- Objective two\n"
        "  - A key result\n"
    )
    document = read_markdown(text, source="inline.md")
    first, second = document.objectives
    assert first.title == "Objective one"
    [child] = first.children
    assert [k.title for k in child.key_results] == ["Deep key result"]
    assert [k.title for k in first.key_results] == ["Key result beside the child"]
    assert [k.title for k in second.key_results] == ["A key result"]
    assert first.location.line == 3


def test_prefixes_decide_when_a_document_uses_them():
    text = (
        "Intro paragraph.\n"
        "\n"
        "- Some explanation\n"
        "  - More explanation\n"
        "\n"
        "1. **Objective:** Delight users\n"
        "   - KR 1: Reach NPS 50\n"
        "   - **Key Result:** Ship onboarding\n"
        "     - a plain note about it\n"
        "   - context that is not a key result\n"
    )
    document = read_markdown(text)
    [objective] = document.objectives
    assert objective.title == "Delight users"
    assert [k.title for k in objective.key_results] == ["Reach NPS 50", "Ship onboarding"]
    assert objective.key_results[1].description == "- a plain note about it"
    assert objective.description == "- context that is not a key result"


def test_sections_that_are_not_okrs_are_skipped():
    text = (
        "---\n"
        "title: x\n"
        "---\n"
        "## Table of contents\n"
        "- [Goals](#goals)\n"
        "### Sales: be great\n"
        "- Win\n"
        "## Lessons learned\n"
        "- Something learned\n"
        "  - detail\n"
        "### Sub heading in lessons\n"
        "- Ignored too\n"
        "  - really\n"
        "## Objectives\n"
        "- Good\n"
        "  - not an okr\n"
        "- Keep going\n"
        "  - Step\n"
    )
    document = read_markdown(text)
    assert [o.title for o in document.objectives] == ["be great", "Keep going"]
    assert document.objectives[0].owner_label == "Sales"
    assert [k.title for k in document.all_key_results()] == ["Win", "Step"]


def test_key_results_outside_objectives_are_noticed():
    document = read_markdown("- Just a list item\n- Another one\n", source="list.md")
    assert document.objectives == []
    messages = [str(n) for n in document.notices]
    assert "list.md, line 1: a key result outside any objective: skipped" in messages
    assert "list.md: no objectives found" in messages


def test_a_label_only_bullet_at_the_top_is_its_own_objective():
    document = read_markdown("* VPE\n  * Hire 5 engineers\n")
    [objective] = document.objectives
    assert (objective.title, objective.owner_label) == ("VPE", "VPE")
    assert [k.title for k in objective.key_results] == ["Hire 5 engineers"]


def test_a_short_lower_case_title_is_not_a_label():
    document = read_markdown("## OKRs\n\n- Happy customers\n  - NPS above 40\n")
    [objective] = document.objectives
    assert (objective.title, objective.owner_label) == ("Happy customers", None)
    assert [k.title for k in objective.key_results] == ["NPS above 40"]


def test_a_heading_with_bullets_is_an_objective_unless_it_names_okrs_in_general():
    text = "# Plan\n## Marketing\n### Win the market\n- Reach 100 leads\n"
    document = read_markdown(text)
    [objective] = document.objectives
    assert (objective.title, objective.owner_label) == ("Win the market", "Marketing")
    assert [k.title for k in objective.key_results] == ["Reach 100 leads"]
