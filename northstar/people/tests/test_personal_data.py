"""Export everything stored about a person; erase them into a pseudonym everywhere while the
OKR history stays whole."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from northstar.audit.models import AuditEvent, record
from northstar.feedback.actions import add_comment, give_kudos
from northstar.feedback.models import KUDOS_MAX_LENGTH, Comment, Kudos, Mention
from northstar.notifications.models import Delivery
from northstar.okrs import actions as okr_actions
from northstar.okrs.models import CheckIn, KeyResult, Objective
from northstar.people import actions
from northstar.people.models import Invitation, Person
from northstar.people.personal_data import erase_person, export_person
from northstar.test import PASSWORD


@pytest.fixture
def history(personas):
    """Cleo checked in, was renamed once, and is named in a reason and an event label."""
    check_in = okr_actions.record_check_in(
        key_result=personas.kr_cache,
        author=personas.cleo,
        value=70,
        measured_on=date(2026, 11, 2),
        note="Warmed the cache",
    )
    actions.update_person(person=personas.cleo, actor=personas.ben, name="Cleo Vance")
    record(
        actor=personas.ben,
        action="changed",
        target=personas.kr_cache,
        changes={"note": ("Ask Cleo Vance", "Ask cleo@northwind.test or Cleo Vance")},
        reason="Cleo Vance asked for it; Cleopatra did not",
        objective_id=personas.team_objective.pk,
    )
    # The invitation she joined with, long accepted.
    invitation, _ = actions.create_invitation(
        email="cleo@example.test", unit=None, role="member", invited_by=personas.ada
    )
    Invitation.objects.filter(pk=invitation.pk).update(email="cleo@northwind.test")
    return check_in


def test_export_has_everything_about_the_person(client, personas, history):
    record(
        actor=personas.cleo,
        action="changed",
        target=personas.kr_cache,
        changes={"target": (90, 95)},
    )
    client.force_login(personas.ada.user)
    response = client.get(f"/people/{personas.cleo.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == "cleo@northwind.test"
    assert data["account"]["username"] == "cleo@northwind.test"
    assert data["memberships"]["unit"]["name"] == "Platform"
    assert {o["title"] for o in data["objectives"]} == {"Make the API fast", "Learn query tuning"}
    assert {kr["title"] for kr in data["key_results"]} == {
        "Raise cache hit rate from 50 to 90",
        "Finish the tuning course",
    }
    assert data["check_ins"][0]["note"] == "Warmed the cache"
    assert data["invitations"][0]["email"] == "cleo@northwind.test"
    (acted,) = data["audit_events"]["acted"]
    assert acted["changes"] == {"target": {"from": 90, "to": 95}}
    assert any(e["action"] == "changed" for e in data["audit_events"]["about"])
    assert AuditEvent.objects.for_target(personas.cleo).filter(action="exported").exists()


def test_only_admins_export_or_erase(client, personas):
    client.force_login(personas.ben.user)  # a lead above cleo, but not an admin
    assert client.get(f"/people/{personas.cleo.pk}/export/").status_code == 403
    assert client.get(f"/people/{personas.cleo.pk}/erase/").status_code == 403
    assert client.post(f"/people/{personas.cleo.pk}/erase/", {"confirm": "on"}).status_code == 403
    assert Person.objects.get(pk=personas.cleo.pk).name == "Cleo"


def test_the_cli_exports_json(personas, history, tmp_path):
    out = StringIO()
    call_command("people", "export", "CLEO@northwind.test", stdout=out)
    data = json.loads(out.getvalue())
    assert data["profile"]["name"] == "Cleo Vance"
    target = tmp_path / "cleo.json"
    call_command(
        "people", "export", "cleo@northwind.test", "--output", str(target), stdout=StringIO()
    )
    assert json.loads(target.read_text())["check_ins"][0]["note"] == "Warmed the cache"
    with pytest.raises(CommandError, match="not an admin"):
        call_command("people", "export", "cleo@northwind.test", "--as", "ben@northwind.test")


def assert_erased(personas, history) -> None:
    cleo = Person.objects.get(pk=personas.cleo.pk)
    assert cleo.name.startswith("Former member ")
    assert cleo.email is None
    assert not cleo.is_active
    user = cleo.user
    assert user.username == f"erased-{user.pk}"
    assert user.email == ""
    assert not user.is_active
    assert not user.has_usable_password()

    # The OKR history stays whole, pointing at the pseudonymous person.
    assert CheckIn.objects.get(pk=history.pk).author == cleo
    assert Objective.objects.get(pk=personas.team_objective.pk).owner == cleo
    assert KeyResult.objects.get(pk=personas.kr_cache.pk).owner == cleo

    # The trail: no trace of the name or the email, the pseudonym instead.
    trail = json.dumps(list(AuditEvent.objects.values("changes", "reason")))
    for gone in ("Cleo Vance", "cleo@northwind.test"):
        assert gone not in trail
    assert f"Ask {cleo.name}" in trail
    assert "Cleopatra did not" in trail  # a longer word is not the name
    renamed = AuditEvent.objects.for_target(cleo).get(action="changed")
    assert renamed.changes["name"] == {"from": cleo.name, "to": cleo.name}
    assert not Invitation.objects.filter(email__iexact="cleo@northwind.test").exists()


def test_erasing_through_the_page(client, personas, history):
    client.force_login(personas.ada.user)
    page = client.get(f"/people/{personas.cleo.pk}/erase/")
    assert page.status_code == 200
    unconfirmed = client.post(f"/people/{personas.cleo.pk}/erase/", {})
    assert unconfirmed.status_code == 422
    assert Person.objects.get(pk=personas.cleo.pk).name == "Cleo Vance"
    response = client.post(f"/people/{personas.cleo.pk}/erase/", {"confirm": "on"})
    assert response.status_code == 302
    assert_erased(personas, history)
    assert AuditEvent.objects.get(action="erased").actor == personas.ada
    # The account is closed.
    client.logout()
    signed_in = client.post("/sign-in/", {"username": "cleo@northwind.test", "password": PASSWORD})
    assert signed_in.status_code == 200


def test_erasing_from_the_terminal(personas, history):
    out = StringIO()
    call_command("people", "erase", "cleo@northwind.test", "--no-input", stdout=out)
    assert "the person is now “Former member " in out.getvalue()
    assert_erased(personas, history)


def test_the_terminal_asks_first(personas, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was erased"):
        call_command("people", "erase", "cleo@northwind.test")
    assert Person.objects.get(pk=personas.cleo.pk).email == "cleo@northwind.test"


def test_without_a_terminal_it_says_to_use_no_input(personas, monkeypatch):
    def no_terminal(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    with pytest.raises(CommandError, match="use --no-input to confirm without a terminal"):
        call_command("people", "erase", "cleo@northwind.test")
    assert Person.objects.get(pk=personas.cleo.pk).email == "cleo@northwind.test"


def test_nobody_erases_themselves(client, personas):
    client.force_login(personas.ada.user)
    response = client.post(f"/people/{personas.ada.pk}/erase/", {"confirm": "on"})
    assert response.status_code == 422
    assert b"cannot erase yourself" in response.content


def test_the_audit_trail_stays_append_only_for_everyone_else(personas, history):
    from northstar.audit.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(reason="")


# --- comments, kudos, mentions and notifications ----------------------------------------------

BEN_SAYS = (
    "Great work @cleo and @cleo.vance, thanks @cleo@northwind.test! Ask Cleo Vance or "
    "CLEO@northwind.test; @dev, Cleopatra and cleopatra@northwind.test are someone else."
)


@pytest.fixture
def feedback(personas, history):
    """Ben mentions Cleo (and Dev) and thanks her; she comments and thanks Ben. Each mention
    and kudos leaves a notification Delivery behind."""
    p = personas
    mentioning = add_comment(subject=p.kr_cache, author=p.ben, body=BEN_SAYS)
    own = add_comment(subject=history, author=p.cleo, body="Thanks @ben, on it.")
    thanked = give_kudos(subject=p.kr_cache, giver=p.ben, message="Thanks @Cleo_Vance for this!")
    thanking = give_kudos(subject=p.kr_latency, giver=p.cleo, message="Fast! Cleo Vance")
    Delivery.objects.filter(recipient=p.cleo).update(
        last_error="attempt 1: 550 <cleo@northwind.test> mailbox full"
    )
    return mentioning, own, thanked, thanking


def test_export_has_the_persons_comments_kudos_and_mentions(personas, feedback):
    mentioning, own, thanked, thanking = feedback
    data = export_person(personas.cleo)
    assert data["comments"] == [
        {
            "id": own.pk,
            "on": {
                "objective_id": personas.team_objective.pk,
                "key_result_id": personas.kr_cache.pk,
                "check_in_id": own.check_in_id,
            },
            "body": "Thanks @ben, on it.",
            "created": own.created.isoformat(),
        }
    ]
    assert [k["message"] for k in data["kudos"]["given"]] == ["Fast! Cleo Vance"]
    assert data["kudos"]["given"][0]["receiver"] == {"id": personas.ben.pk, "name": "Ben"}
    (received,) = data["kudos"]["received"]
    assert (received["id"], received["giver"]["name"]) == (thanked.pk, "Ben")
    assert received["on"]["key_result_id"] == personas.kr_cache.pk
    (mention,) = data["mentions"]
    assert mention["comment_id"] == mentioning.pk
    assert (mention["by"]["name"], mention["body"]) == ("Ben", BEN_SAYS)
    json.dumps(data)  # all of it is JSON


def test_erasing_scrubs_comments_kudos_and_notifications(personas, feedback):
    mentioning, own, thanked, thanking = feedback
    pseudonym = erase_person(person=personas.cleo, actor=personas.ada)
    assert Comment.objects.get(pk=mentioning.pk).body == (
        f"Great work {pseudonym} and {pseudonym}, thanks {pseudonym}! Ask {pseudonym} or "
        f"{pseudonym}; @dev, Cleopatra and cleopatra@northwind.test are someone else."
    )
    assert Comment.objects.get(pk=own.pk).body == "Thanks @ben, on it."
    assert Kudos.objects.get(pk=thanked.pk).message == f"Thanks {pseudonym} for this!"
    assert Kudos.objects.get(pk=thanking.pk).message == f"Fast! {pseudonym}"
    stored = json.dumps(list(Delivery.objects.values("payload", "last_error")))
    for gone in ("Cleo Vance", "cleo@northwind.test", "@cleo ", "@Cleo_Vance", "@cleo.vance"):
        assert gone not in stored
    assert pseudonym in stored and "@dev" in stored
    # The history stays whole, pointing at the pseudonymous person.
    cleo = Person.objects.get(pk=personas.cleo.pk)
    assert Comment.objects.get(pk=own.pk).author == cleo
    assert (Kudos.objects.get(pk=thanked.pk).receiver, thanking.giver) == (cleo, cleo)
    assert Mention.objects.filter(comment=mentioning, person=cleo).exists()
    assert Delivery.objects.filter(recipient=cleo).count() == 2


def test_a_handle_someone_else_may_mean_is_left_alone(personas):
    p = personas
    carter = Person.objects.create(name="Sam Carter", email="s.carter@northwind.test")
    # Written while Carter was the only Sam: "@sam" was resolved to her, and recorded.
    resolved = add_comment(subject=p.team_objective, author=p.ben, body="@sam, see this")
    Person.objects.create(name="Sam Vimes", email="s.vimes@northwind.test")
    unresolved = add_comment(
        subject=p.team_objective, author=p.ben, body="@sam? I mean @s.carter, @sam.carter"
    )
    thanks = give_kudos(subject=p.kr_cache, giver=p.ben, message="@sam and @Sam_Vimes helped")
    pseudonym = erase_person(person=carter, actor=p.ada)
    assert Comment.objects.get(pk=resolved.pk).body == f"{pseudonym}, see this"
    assert Comment.objects.get(pk=unresolved.pk).body == f"@sam? I mean {pseudonym}, {pseudonym}"
    assert Kudos.objects.get(pk=thanks.pk).message == "@sam and @Sam_Vimes helped"


def test_a_scrubbed_kudos_message_still_fits_its_column(personas):
    message = "x" * (KUDOS_MAX_LENGTH - len(" @dev")) + " @dev"
    kudos = give_kudos(subject=personas.kr_latency, giver=personas.dev, message="Thanks")
    Kudos.objects.filter(pk=kudos.pk).update(message=message)
    erase_person(person=personas.dev, actor=personas.ada)
    scrubbed = Kudos.objects.get(pk=kudos.pk).message
    assert len(scrubbed) == KUDOS_MAX_LENGTH and scrubbed.endswith("…")
