"""Comments on objectives, key results and check-ins, and the mentions in them."""

import pytest
from django.core.exceptions import ValidationError

from northstar.feedback.actions import add_comment
from northstar.feedback.models import Comment, Mention
from northstar.notifications.models import Delivery
from northstar.okrs import actions as okr_actions
from northstar.test import build_access_personas


def mention_deliveries():
    return sorted(Delivery.objects.filter(kind="mention").values_list("recipient__name", "channel"))


def test_it_comments_on_an_objective(personas):
    p = personas
    comment = add_comment(subject=p.team_objective, author=p.ben, body="  Looking good.  ")
    assert (comment.objective, comment.key_result, comment.check_in) == (
        p.team_objective,
        None,
        None,
    )
    assert comment.body == "Looking good."
    assert comment.subject == p.team_objective
    assert comment.subject_kind == "objective"


def test_it_anchors_a_check_in_comment_to_its_key_result_and_objective(personas):
    p = personas
    check_in = okr_actions.record_check_in(key_result=p.kr_cache, author=p.cleo, value=60)
    comment = add_comment(subject=check_in, author=p.ben, body="Why the jump?")
    assert (comment.objective, comment.key_result, comment.check_in) == (
        p.team_objective,
        p.kr_cache,
        check_in,
    )
    assert comment.subject_kind == "check_in"


def test_it_notifies_the_people_it_mentions(personas):
    p = personas
    comment = add_comment(
        subject=p.kr_cache,
        author=p.ben,
        body="Great work @cleo, and thanks @dev@northwind.test. (@ben: me; @nobody: no one)",
    )
    assert set(Mention.objects.values_list("person", flat=True)) == {p.cleo.pk, p.dev.pk}
    assert {m.comment for m in Mention.objects.all()} == {comment}
    # The author mentioning themselves is not news to them.
    assert mention_deliveries() == [("Cleo", "email"), ("Dev", "email")]
    delivery = Delivery.objects.filter(kind="mention").first()
    assert delivery.objective_id == p.team_objective.pk
    assert "Great work" in delivery.payload["text"]
    assert delivery.payload["url"].endswith(f"/key-results/{p.kr_cache.pk}/")


def test_it_never_mentions_someone_who_may_not_read_a_private_objective(personas):
    access = build_access_personas(personas)
    p = personas
    add_comment(subject=access.kr_deal, author=p.cleo, body="@dev @hana @ben: term sheet is close")
    # dev is in Platform but not on the deal; hana contributes; ben leads Engineering.
    assert set(Mention.objects.values_list("person__name", flat=True)) == {"Hana", "Ben"}
    assert mention_deliveries() == [("Ben", "email"), ("Hana", "email")]


def test_it_refuses_an_empty_comment(personas):
    with pytest.raises(ValidationError):
        add_comment(subject=personas.team_objective, author=personas.ben, body="   ")
    assert not Comment.objects.exists()


def test_it_refuses_a_subject_that_takes_no_comments(personas):
    with pytest.raises(TypeError):
        add_comment(subject=personas.platform, author=personas.ben, body="Hi")
