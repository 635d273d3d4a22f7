"""The access matrix: every role × every door × a public and a private objective.

Two tables say what must happen:

* `ROLES`: what each role may do with an objective, its key results and check-ins —
  nothing, read, or read and check in — for the public and the private objective;
* `DOORS`: each way in (a page, an htmx fragment, search, the CLI…) as a small adapter
  that tries it and reports what happened, with what it must report for each level.

Expected outcome = DOORS[door].expect[ROLES[role][privacy]]. Nothing may be written except
by a door that must write, and then exactly one check-in and one audit event. A door added
later (the API, dashboards, notifications) joins by adding one `Door`; a role by one row.

The setting (northstar/test.py): the public objective is Platform's "Make the API fast"
(kr_cache); the private one is "Acquire Quillstone Analytics" (kr_deal), also Platform's,
both owned by Cleo and aligned under Engineering's objective; Hana contributes to both key
results; each key result has one check-in with a note.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from northstar.audit.models import AuditEvent
from northstar.okrs import actions
from northstar.okrs.access import (
    OPERATOR,
    can_check_in,
    can_decide_proposal,
    can_edit_key_result,
    can_edit_objective,
    can_manage_organisation,
    can_read_key_result,
    can_read_objective,
    standing,
    visible_check_ins,
    visible_key_results,
    visible_objectives,
)
from northstar.okrs.models import CheckIn, KeyResult, Objective
from northstar.people.models import Person
from northstar.test import AccessPersonas, build_access_personas, build_personas

# What a role may do.
NOTHING = "nothing"
READ = "read"
CHECK_IN = "check in"
SIGNED_OUT = "signed out"

#                        public      private
ROLES = {
    "admin": (CHECK_IN, CHECK_IN),
    "lead of the owning unit": (CHECK_IN, CHECK_IN),
    "lead of an unrelated unit": (READ, NOTHING),
    "owner": (CHECK_IN, CHECK_IN),
    "contributor": (CHECK_IN, CHECK_IN),
    "member of another team": (READ, NOTHING),
    "viewer": (READ, NOTHING),
    "signed out": (SIGNED_OUT, SIGNED_OUT),
}
# Who plays each role (northstar/test.py). Ben leads Engineering, above Platform.
CAST = {
    "admin": "ivy",
    "lead of the owning unit": "ben",
    "lead of an unrelated unit": "erin",
    "owner": "cleo",
    "contributor": "hana",
    "member of another team": "finn",
    "viewer": "gus",
    "signed out": None,
}

# What a door can report.
SHOWN = "shown"  # answered, and the objective is there
ABSENT = "absent"  # answered, and nothing of the objective is there
NOT_FOUND = "404"
FORBIDDEN = "403"
SIGN_IN = "sent to sign in"
WRITTEN = "written"
UNKNOWN_PERSON = "CLI: no such person"
NO_SUCH_KR = "CLI: no such key result"
NOT_ALLOWED = "CLI: not allowed"

PAGE = {CHECK_IN: SHOWN, READ: SHOWN, NOTHING: NOT_FOUND, SIGNED_OUT: SIGN_IN}
LISTING = {CHECK_IN: SHOWN, READ: SHOWN, NOTHING: ABSENT, SIGNED_OUT: SIGN_IN}
CLI_LISTING = {CHECK_IN: SHOWN, READ: SHOWN, NOTHING: ABSENT, SIGNED_OUT: UNKNOWN_PERSON}
WEB_CHECK_IN = {CHECK_IN: WRITTEN, READ: FORBIDDEN, NOTHING: NOT_FOUND, SIGNED_OUT: SIGN_IN}
CLI_CHECK_IN = {
    CHECK_IN: WRITTEN,
    READ: NOT_ALLOWED,
    NOTHING: NO_SUCH_KR,
    SIGNED_OUT: UNKNOWN_PERSON,
}
HTMX = {"HTTP_HX_REQUEST": "true"}
NOBODY_EMAIL = "nobody@northwind.test"


@dataclass
class Target:
    """The objective a case is about, its key result, and what would give it away."""

    objective: Objective
    key_result: KeyResult
    secrets: tuple[str, ...]  # title words, the check-in's note


@dataclass
class Case:
    world: AccessPersonas
    person: Person | None
    target: Target

    def client(self) -> Client:
        client = Client()
        if self.person is not None:
            client.force_login(self.person.user)
        return client

    @property
    def email(self) -> str:
        return self.person.email if self.person else NOBODY_EMAIL


# --- reading what came back ------------------------------------------------------------------


def page(response) -> str:
    if _sent_to_sign_in(response):
        return SIGN_IN
    if response.status_code == 404:
        assert not _gives_away(response.content.decode(), ()), "a 404 says nothing"
        return NOT_FOUND
    if response.status_code == 403:
        return FORBIDDEN
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _sent_to_sign_in(response) -> bool:
    if response.status_code == 302:
        return response["Location"].startswith("/sign-in/")
    return response.get("HX-Redirect", "").startswith("/sign-in/")


def _gives_away(text: str, secrets: tuple[str, ...]) -> bool:
    return any(secret in text for secret in secrets)


def listed(text: str, case: Case) -> str:
    """SHOWN when the objective's title is there; ABSENT when nothing of it is."""
    if text in {SIGN_IN, NOT_FOUND, FORBIDDEN, UNKNOWN_PERSON}:
        return text
    if case.target.objective.title in text:
        return SHOWN
    assert not _gives_away(text, case.target.secrets), "half-hidden"
    assert f"/objectives/{case.target.objective.pk}/" not in text
    return ABSENT


def command(name: str, *args: str) -> str:
    out = StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=StringIO())
    except CommandError as error:
        message = str(error)
        if "No person has the email" in message:
            return UNKNOWN_PERSON
        if "No key result has the reference" in message:
            return NO_SUCH_KR
        if "may not check in" in message:
            return NOT_ALLOWED
        raise
    return out.getvalue()


# --- the doors -------------------------------------------------------------------------------


def objective_page(case: Case) -> str:
    text = page(case.client().get(f"/objectives/{case.target.objective.pk}/"))
    return listed(text, case)


def key_result_page(case: Case) -> str:
    text = page(case.client().get(f"/key-results/{case.target.key_result.pk}/"))
    return listed(text, case)


def key_result_panel(case: Case) -> str:
    text = page(case.client().get(f"/key-results/{case.target.key_result.pk}/", **HTMX))
    return listed(text, case)


def cascade_page(case: Case) -> str:
    # Filtered to the unit, so that both objectives are listed flat, not behind a toggle.
    p = case.world.base
    url = f"/cycles/{p.quarter.pk}/?unit={p.platform.pk}"
    return listed(page(case.client().get(url)), case)


def cascade_children(case: Case) -> str:
    url = f"/objectives/{case.world.base.department_objective.pk}/children/"
    return listed(page(case.client().get(url, **HTMX)), case)


def unit_page(case: Case) -> str:
    p = case.world.base
    url = f"/units/{p.platform.pk}/?cycle={p.quarter.pk}"
    return listed(page(case.client().get(url)), case)


def person_page(case: Case) -> str:
    p = case.world.base
    url = f"/people/{p.cleo.pk}/?cycle={p.quarter.pk}"
    return listed(page(case.client().get(url)), case)


def search(case: Case) -> str:
    word = case.target.objective.title.split()[-1]  # not a secret itself: the page echoes it
    return listed(page(case.client().get("/search/", {"q": word})), case)


def export(case: Case) -> str:
    return listed(command("export", "--as", case.email, "--format", "yaml"), case)


def tree(case: Case) -> str:
    return listed(command("tree", "--as", case.email, "--cycle", "2026-Q4"), case)


def web_check_in(case: Case) -> str:
    url = f"/key-results/{case.target.key_result.pk}/check-ins/"
    response = case.client().post(url, {"value": "7", "measured_on": "2026-11-03"})
    if response.status_code == 303:
        return WRITTEN
    return page(response)


def cli_check_in(case: Case) -> str:
    reference = f"KR-{case.target.key_result.pk}"
    out = command("check_in", reference, "7", "--as", case.email, "--date", "2026-11-03")
    return WRITTEN if out.startswith("Recorded") else out


@dataclass
class Door:
    run: Callable[[Case], str]
    expect: dict[str, str]


DOORS = {
    "objective page": Door(objective_page, PAGE),
    "key result page": Door(key_result_page, PAGE),
    "key result panel (htmx)": Door(key_result_panel, PAGE),
    "cascade page": Door(cascade_page, LISTING),
    "cascade children (htmx)": Door(cascade_children, LISTING),
    "unit page": Door(unit_page, LISTING),
    "person page": Door(person_page, LISTING),
    "search": Door(search, LISTING),
    "export --as": Door(export, CLI_LISTING),
    "tree --as": Door(tree, CLI_LISTING),
    "check-in (web POST)": Door(web_check_in, WEB_CHECK_IN),
    "check-in --as": Door(cli_check_in, CLI_CHECK_IN),
}
PRIVACY = ("public", "private")


# --- the matrix ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The world, built once for the module and rolled back at the end; each case runs in
    a savepoint of its own (the `db` fixture), so what one writes the next never sees."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield build_access_personas(build_personas())
        transaction.set_rollback(True)


@pytest.fixture
def world(built, db) -> AccessPersonas:
    return built


def target(world: AccessPersonas, privacy: str) -> Target:
    if privacy == "public":
        p = world.base
        return Target(p.team_objective, p.kr_cache, ("Make the API fast", world.public_note))
    return Target(
        world.private_objective, world.kr_deal, ("Quillstone", world.private_note, "Acquire")
    )


def person_of(world: AccessPersonas, role: str) -> Person | None:
    name = CAST[role]
    if name is None:
        return None
    return getattr(world, name, None) or getattr(world.base, name)


def written() -> tuple[int, int]:
    return CheckIn.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("privacy", PRIVACY)
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("role", ROLES)
def test_the_matrix(world, role, door, privacy):
    case = Case(world, person_of(world, role), target(world, privacy))
    expected = DOORS[door].expect[ROLES[role][PRIVACY.index(privacy)]]
    before = written()
    outcome = DOORS[door].run(case)
    assert outcome == expected, f"{role} × {door} × {privacy}"
    check_ins, events = written()
    if outcome == WRITTEN:
        assert (check_ins, events) == (before[0] + 1, before[1] + 1)
    else:
        assert (check_ins, events) == before, "nothing written on refusal or reading"


def test_the_matrix_has_every_case():
    # The number in the closing note: role × door cases, for each privacy.
    assert len(ROLES) * len(DOORS) == 96


# --- privacy beyond the matrix ---------------------------------------------------------------


def get(world: AccessPersonas, who: str, url: str, **headers) -> str:
    client = Client()
    client.force_login(person_of_name(world, who).user)
    response = client.get(url, **headers)
    assert response.status_code == 200, (who, url, response.status_code)
    return response.content.decode()


def person_of_name(world: AccessPersonas, name: str) -> Person:
    return getattr(world, name, None) or getattr(world.base, name)


def test_counts_leave_out_what_the_viewer_may_not_see(world):
    url = f"/objectives/{world.base.company_objective.pk}/children/"
    outsider = get(world, "finn", url, **HTMX)
    lead = get(world, "ben", url, **HTMX)
    # The department objective's toggle: the team objective (and, for Ben, the private one).
    department = world.base.department_objective.pk
    assert re.search(rf'id="toggle-{department}".*?>1 aligned<', outsider, re.S)
    assert re.search(rf'id="toggle-{department}".*?>2 aligned<', lead, re.S)


def test_a_parent_says_it_includes_private_work_and_nothing_more(world):
    url = f"/objectives/{world.base.department_objective.pk}/"
    outsider = get(world, "finn", url)
    assert 'data-testid="includes-private"' in outsider
    assert "Quillstone" not in outsider and "Acquire" not in outsider
    lead = get(world, "ben", url)
    assert 'data-testid="includes-private"' not in lead  # Ben sees it listed instead
    assert "Acquire Quillstone Analytics" in lead


def without_tokens(response) -> str:
    """The page without what differs on every response: CSP nonce, CSRF token."""
    html = response.content.decode()
    html = re.sub(r'nonce="[^"]+"', "", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"x-csrftoken": "[^"]+"', "", html)


def test_a_hidden_item_answers_exactly_like_a_missing_one(world):
    client = Client()
    client.force_login(world.finn.user)
    hidden = client.get(f"/objectives/{world.private_objective.pk}/")
    missing = client.get("/objectives/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert without_tokens(hidden) == without_tokens(missing)
    hidden = client.get(f"/key-results/{world.kr_deal.pk}/")
    assert hidden.status_code == 404
    posted = client.post(f"/key-results/{world.kr_deal.pk}/check-ins/", {"value": "1"})
    assert posted.status_code == 404


def test_search_does_not_find_a_hidden_objective_by_its_reference(world):
    ref = f"O-{world.private_objective.pk}"
    assert "Acquire" not in get(world, "finn", f"/search/?q={ref}")
    # Someone who may read it is taken straight to it (the README's "jump straight there").
    client = Client()
    client.force_login(person_of_name(world, "ben").user)
    response = client.get(f"/search/?q={ref}")
    assert response.status_code == 302
    assert response["Location"] == f"/objectives/{world.private_objective.pk}/"


@pytest.fixture
def under_private(world) -> Objective:
    """A public objective aligned under the private one."""
    return actions.save_objective(
        Objective(
            title="Benchmark the partner stack",
            cycle=world.base.quarter,
            owner=world.base.dev,
            unit=world.base.platform,
            parent_objective=world.private_objective,
        )
    )


def test_a_public_objective_under_a_private_one_stays_visible_with_its_thread_cut(
    world, under_private
):
    html = get(world, "finn", f"/objectives/{under_private.pk}/")
    assert "Benchmark the partner stack" in html
    assert 'data-testid="thread-hidden"' in html
    assert 'data-testid="parent-hidden"' in html
    # The thread stops at the hidden parent: nothing above it is named either.
    for hidden in ("Quillstone", "Acquire", "Ship a faster product", "Become the tool"):
        assert hidden not in html
    full = get(world, "ben", f"/objectives/{under_private.pk}/")
    assert "Acquire Quillstone Analytics" in full and "Become the tool" in full


def test_it_starts_its_own_tree_in_the_cascade_tree_and_export(world, under_private):
    cascade = get(world, "finn", f"/cycles/{world.base.quarter.pk}/")
    card = cascade[cascade.index(f'data-objective-id="{under_private.pk}"') :]
    assert "Aligned to a private objective" in card[: card.index("</article>")]
    tree = command("tree", "--as", world.finn.email, "--cycle", "2026-Q4")
    line = next(line for line in tree.splitlines() if "Benchmark the partner stack" in line)
    assert not line.startswith(" ") and line.endswith("(aligned to a private objective)")
    exported = command("export", "--as", world.finn.email, "--format", "json")
    record = next(
        o for o in json.loads(exported)["objectives"] if o["title"] == "Benchmark the partner stack"
    )
    assert "parent_objective" not in record
    assert "Quillstone" not in exported


def test_the_operator_exports_privacy_and_contributors(world):
    exported = json.loads(command("export", "--format", "json"))
    record = next(o for o in exported["objectives"] if o["title"].startswith("Acquire"))
    assert record["is_private"] is True
    assert record["key_results"][0]["contributors"] == [world.hana.email]


def test_a_private_personal_objective_reaches_the_leads_of_its_owner_unit(world):
    p = world.base
    objective = Objective.objects.get(pk=p.personal_objective.pk)
    objective.is_private = True
    actions.save_objective(objective)
    url = f"/objectives/{objective.pk}/"
    assert "Learn query tuning" in get(world, "ben", url)  # leads Engineering, above Platform
    assert "Learn query tuning" in get(world, "cleo", url)
    client = Client()
    for outsider in (world.erin, p.dev, world.gus):
        client.force_login(outsider.user)
        assert client.get(url).status_code == 404
    assert can_edit_objective(p.ben, objective) and can_check_in(p.ben, p.kr_course)
    assert not can_edit_objective(world.erin, objective)


# --- who is who ------------------------------------------------------------------------------


def test_the_operator_may_do_everything_and_nobody_nothing(world):
    assert visible_objectives(OPERATOR).count() == Objective.objects.count()
    assert can_check_in(OPERATOR, world.kr_deal)
    assert not visible_objectives(None).exists()
    assert not visible_objectives(AnonymousUser()).exists()
    assert not visible_check_ins(None).exists()
    assert not can_check_in(None, world.base.kr_cache)


def test_a_deactivated_person_reads_nothing(world):
    Person.objects.filter(pk=world.hana.pk).update(is_active=False)
    hana = Person.objects.get(pk=world.hana.pk)
    assert not visible_objectives(hana).exists()
    assert not visible_key_results(hana.user).exists()
    assert not can_check_in(hana, world.base.kr_cache)
    with pytest.raises(CommandError, match="deactivated"):
        call_command("tree", "--as", hana.email, stdout=StringIO())


def test_an_account_without_a_person_reads_nothing_unless_a_superuser(world):
    loner = User.objects.create_user("loner")
    assert not visible_objectives(loner).exists()
    root = User.objects.create_superuser("root")
    assert visible_objectives(root).count() == Objective.objects.count()
    assert can_check_in(root, world.kr_deal)
    assert can_manage_organisation(root) and not can_manage_organisation(world.base.ben)


def test_a_viewer_never_changes_anything_even_when_named(world):
    gus = world.gus
    world.base.kr_cache.contributors.add(gus)
    KeyResult.objects.filter(pk=world.base.kr_cache.pk).update(owner=gus)
    kr = KeyResult.objects.get(pk=world.base.kr_cache.pk)
    assert can_read_key_result(gus, kr)
    assert not can_check_in(gus, kr)
    assert not can_edit_key_result(gus, kr)


def test_who_decides_on_a_proposal(world):
    team = world.base.team_objective  # Cleo's, in Platform
    assert can_decide_proposal(world.base.ben, team)  # leads Engineering, above
    assert can_decide_proposal(world.ivy, team)
    assert not can_decide_proposal(world.base.cleo, team)  # the proposer
    assert not can_decide_proposal(world.erin, team)
    assert not can_decide_proposal(world.gus, team)
    # A lead's own proposal goes to the lead above.
    department = world.base.department_objective  # Ben's, in Engineering
    assert not can_decide_proposal(world.base.ben, department)
    assert can_decide_proposal(world.base.ada, department)


def test_editing_follows_ownership_and_leadership(world):
    p = world.base
    assert can_edit_objective(p.cleo, p.team_objective)
    assert can_edit_objective(p.ben, p.team_objective)
    assert not can_edit_objective(world.hana, p.team_objective)  # contributes, does not own
    assert can_check_in(world.hana, p.kr_cache)
    assert not can_edit_key_result(world.hana, p.kr_cache)
    assert not can_edit_objective(world.erin, p.team_objective)
    assert can_edit_objective(world.ivy, world.private_objective)


def test_resolving_a_viewer_costs_two_queries_and_reading_one(world):
    user = User.objects.get(pk=world.erin.user_id)
    with CaptureQueriesContext(connection) as captured:
        who = standing(user)  # the person, then every unit with whether Erin leads it
        list(visible_objectives(who))
        list(visible_key_results(who))
        can_read_objective(who, world.private_objective)
    assert len(captured) == 5


def test_only_admins_import_from_the_cli(world, tmp_path):
    path = tmp_path / "okrs.md"
    path.write_text("# 2026-Q4\n\n* **Objective:** Open a Lisbon office\n")
    with pytest.raises(CommandError, match="not an admin"):
        call_command("import", str(path), "--cycle", "2026-Q4", "--as", world.base.ben.email)
    assert not Objective.objects.filter(title__contains="Lisbon").exists()
    call_command(
        "import", str(path), "--cycle", "2026-Q4", "--as", world.ivy.email, stdout=StringIO()
    )
    assert Objective.objects.filter(title__contains="Lisbon").exists()
