"""Comments and kudos on objective, key-result and check-in pages, over htmx and without."""

from datetime import date

import pytest

from northstar.feedback.models import Comment, Kudos
from northstar.notifications.models import Delivery
from northstar.okrs import actions
from northstar.people.models import Organisation
from northstar.test import build_access_personas
from northstar.web.tests.conftest import assert_redirects_to_sign_in

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: date(2026, 11, 16))


def test_objective_and_key_result_pages_load_the_thread_in_its_own_request(sign_in, personas):
    p = personas
    client = sign_in(p.dev)
    objective = client.get(f"/objectives/{p.team_objective.pk}/").content.decode()
    assert f'hx-get="/objectives/{p.team_objective.pk}/feedback/"' in objective
    kr = client.get(f"/key-results/{p.kr_cache.pk}/").content.decode()
    assert f'hx-get="/key-results/{p.kr_cache.pk}/feedback/"' in kr
    # Without JavaScript, the placeholder's link opens the same thread as a page.
    assert f'<a href="/key-results/{p.kr_cache.pk}/feedback/">' in kr


def test_the_thread_comes_back_as_a_fragment_for_htmx_and_a_page_without(sign_in, personas):
    p = personas
    client = sign_in(p.dev)
    fragment = client.get(f"/objectives/{p.team_objective.pk}/feedback/", **HTMX)
    assert fragment.content.decode().lstrip().startswith('<section id="feedback"')
    page = client.get(f"/objectives/{p.team_objective.pk}/feedback/")
    assert b"<!doctype html>" in page.content
    assert b'data-testid="feedback-subject">Make the API fast<' in page.content


def test_it_posts_a_comment_and_answers_with_the_fresh_thread(sign_in, personas):
    p = personas
    response = sign_in(p.ben).post(
        f"/key-results/{p.kr_cache.pk}/comments/",
        {"body": "**Great** work @cleo <script>alert(1)</script>"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="feedback-posted">Comment posted.<' in html
    assert "<strong>Great</strong> work @cleo" in html
    assert "<script>" not in html
    comment = Comment.objects.get()
    assert (comment.key_result, comment.author) == (p.kr_cache, p.ben)
    assert Delivery.objects.get(kind="mention").recipient == p.cleo


def test_without_htmx_it_redirects_to_the_subject_page(sign_in, personas):
    p = personas
    response = sign_in(p.ben).post(f"/objectives/{p.team_objective.pk}/comments/", {"body": "Hi"})
    assert response.status_code == 303
    assert response["Location"] == f"/objectives/{p.team_objective.pk}/#feedback"


def test_an_empty_comment_is_refused_in_place(sign_in, personas):
    p = personas
    response = sign_in(p.ben).post(
        f"/objectives/{p.team_objective.pk}/comments/", {"body": "  "}, **HTMX
    )
    assert response.status_code == 422
    assert b'data-testid="comment-errors"' in response.content
    assert not Comment.objects.exists()


def test_a_check_in_has_its_own_thread_and_kudos_thank_its_author(sign_in, personas):
    p = personas
    check_in = actions.record_check_in(key_result=p.kr_cache, author=p.cleo, value=70)
    client = sign_in(p.ben)
    page = client.get(f"/check-ins/{check_in.pk}/feedback/").content.decode()
    assert "Give kudos to Cleo" in page
    response = client.post(f"/check-ins/{check_in.pk}/kudos/", {"message": "Big jump!"}, **HTMX)
    assert response.status_code == 200
    assert "Ben</strong> thanked <strong>Cleo</strong>: “Big jump!”" in response.content.decode()
    kudos = Kudos.objects.get()
    assert (kudos.check_in, kudos.receiver) == (check_in, p.cleo)
    # The key result's thread shows the check-in's kudos and comments too, labelled.
    client.post(f"/check-ins/{check_in.pk}/comments/", {"body": "How?"}, **HTMX)
    kr_thread = client.get(f"/key-results/{p.kr_cache.pk}/feedback/", **HTMX).content.decode()
    assert "for the check-in of 16 Nov" in kr_thread
    assert (
        f'<a href="/check-ins/{check_in.pk}/feedback/">on the check-in of 16 Nov</a>' in kr_thread
    )


def test_nobody_is_offered_kudos_to_themselves(sign_in, personas):
    p = personas
    client = sign_in(p.cleo)
    thread = client.get(f"/key-results/{p.kr_cache.pk}/feedback/", **HTMX).content.decode()
    assert 'data-testid="kudos-form"' not in thread
    response = client.post(f"/key-results/{p.kr_cache.pk}/kudos/", {"message": "Me"}, **HTMX)
    assert response.status_code == 422
    assert b"Kudos go to someone else." in response.content
    assert not Kudos.objects.exists()


def test_a_private_objective_is_missing_for_an_outsider(sign_in, personas):
    access = build_access_personas(personas)
    client = sign_in(personas.dev)
    for path in [
        f"/objectives/{access.private_objective.pk}/feedback/",
        f"/key-results/{access.kr_deal.pk}/feedback/",
        f"/check-ins/{access.kr_deal.current_check_in_id}/feedback/",
    ]:
        assert client.get(path).status_code == 404
    comment = client.post(f"/key-results/{access.kr_deal.pk}/comments/", {"body": "Hi"})
    assert comment.status_code == 404
    assert not Comment.objects.exists()


def test_a_viewer_reads_but_may_not_post(sign_in, personas):
    access = build_access_personas(personas)
    client = sign_in(access.gus)
    thread = client.get(f"/objectives/{personas.team_objective.pk}/feedback/", **HTMX)
    assert b'data-testid="comment-form"' not in thread.content
    response = client.post(f"/objectives/{personas.team_objective.pk}/comments/", {"body": "Hi"})
    assert response.status_code == 403


def test_posting_needs_sign_in_and_post(client, personas):
    path = f"/objectives/{personas.team_objective.pk}/comments/"
    assert_redirects_to_sign_in(client.post(path, {"body": "Hi"}), path)
    client.force_login(personas.ben.user)
    assert client.get(path).status_code == 405
