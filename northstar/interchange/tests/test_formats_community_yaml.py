"""Reading the organisation → projects → members OKR YAML."""

import pytest
import yaml

from northstar.interchange.document import ImportProblem
from northstar.interchange.formats.community_yaml import (
    looks_like_community_yaml,
    read_community_yaml,
)
from northstar.testdata import SHARED_DATA

DATA = SHARED_DATA
SONOMA = DATA / "startupsonoma_okr_org_project_member.yml"


@pytest.fixture(scope="module")
def sonoma():
    return read_community_yaml(SONOMA, year=2018)


def test_sonoma_counts(sonoma):
    assert len(list(sonoma.all_objectives())) == 5
    assert len(list(sonoma.all_key_results())) == 7


def test_sonoma_cascade_follows_organisation_project_member(sonoma):
    [organisation] = sonoma.objectives
    assert organisation.title == "Open the Space and Start Building a Startup Community"
    assert len(organisation.key_results) == 3
    assert (organisation.level, organisation.unit) == ("company", "Startup Sonoma County")
    [project] = organisation.children
    assert (project.title, project.level, project.unit) == ("Open the Space", "team", "Space")
    members = project.children
    assert len(members) == 3
    assert {m.level for m in members} == {"individual"}
    assert {m.unit for m in members} == {"Space"}
    assert [m.owner for m in members] == ["Member A", "Member B", "Member C"]
    assert all(not m.children for m in members)


def test_sonoma_units_and_cycle(sonoma):
    units = {u.name: (u.kind, u.parent) for u in sonoma.units}
    assert units["Startup Sonoma County"] == ("company", None)
    assert units["Space"] == ("team", "Startup Sonoma County")
    [cycle] = sonoma.cycles
    assert (cycle.name, cycle.kind, str(cycle.start), str(cycle.end)) == (
        "2018-Q4",
        "quarter",
        "2018-10-01",
        "2018-12-31",
    )
    assert {o.cycle for o in sonoma.all_objectives()} == {"2018-Q4"}


def test_sonoma_empty_key_result_is_skipped_with_a_notice(sonoma):
    [notice] = sonoma.notices
    assert "without text" in notice.message
    assert notice.location.field == "Projects[0].Members[2].OKR.Q4.KeyResults[0]"
    member_c = sonoma.objectives[0].children[0].children[2]
    assert member_c.key_results == []


def test_sonoma_ignores_crons_and_sops(sonoma):
    titles = [o.title for o in sonoma.all_objectives()]
    titles += [k.title for k in sonoma.all_key_results()]
    assert not any("Todo" in title or "Daily" in title for title in titles)


def test_a_bare_quarter_without_year_asks_for_year():
    with pytest.raises(ImportProblem) as raised:
        read_community_yaml(SONOMA, year=None)
    assert "--year" in str(raised.value)
    assert raised.value.location.field == "OKR.Q4"


def test_empty_quarters_need_no_year():
    text = "Name: Org\nOKR:\n  Q4: {}\n  2019: {}\nProjects:\n  - Name: P\n    OKR:\n      Q1: {}\n"
    document = read_community_yaml(text, year=None)
    assert document.objectives == []
    assert document.cycles == []
    assert [u.name for u in document.units] == ["Org", "P"]


def test_members_align_to_the_organisation_when_their_project_has_no_objective():
    text = (
        "Name: Org\n"
        "OKR:\n  2019:\n    Objective: Grow\n    KeyResults: [Ten customers]\n"
        "Projects:\n  - Name: P\n    OKR: {2019: {}}\n"
        "    Members:\n      - Name: Someone\n        OKR:\n"
        "          2019:\n            Objective: Sell\n            KeyResults:\n"
        "              - Metric: Five deals\n"
    )
    document = read_community_yaml(text, year=None)
    [organisation] = document.objectives
    assert organisation.cycle == "2019"
    assert document.cycles[0].kind == "year"
    assert [k.title for k in organisation.key_results] == ["Ten customers"]
    [member] = organisation.children
    assert (member.title, member.owner, member.unit) == ("Sell", "Someone", "P")


def test_looks_like_community_yaml_tells_formats_apart():
    assert looks_like_community_yaml(yaml.safe_load(SONOMA.read_text(encoding="utf-8")))
    assert not looks_like_community_yaml({"northstar": 1, "Name": "x", "OKR": {}})
    assert not looks_like_community_yaml(["Name"])
    assert not looks_like_community_yaml({"Name": "x"})


def test_other_yaml_is_refused():
    with pytest.raises(ImportProblem, match="not an organisation"):
        read_community_yaml("northstar: 1\nName: x\n", year=2018)
    with pytest.raises(ImportProblem, match="not valid YAML"):
        read_community_yaml("Name: [\nOKR: 1\n", year=2018)
