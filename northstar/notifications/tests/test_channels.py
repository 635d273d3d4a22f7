from __future__ import annotations

import time

from django.core import mail

from northstar.notifications import tasks
from northstar.notifications.channels.slack import slack_payload
from northstar.notifications.channels.teams import teams_payload
from northstar.notifications.channels.webhook import sign, verify
from northstar.notifications.events import publish
from northstar.notifications.models import Delivery
from northstar.notifications.notice import Item, Notice, Section
from northstar.notifications.tests.conftest import SECRET, make_target, run_queued

NOTICE = Notice(
    kind="celebration",
    title="🎉 “Cut <p95> & latency” reached its target",
    text="Well done.",
    sections=(Section("Key results", (Item("Cut p95 latency", "http://x.test/kr/1/"),)),),
    url="http://x.test/kr/1/",
)


def publish_celebration(personas, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            "celebration",
            recipients=[personas.ben],
            actor=personas.cleo,
            subject=personas.kr_latency,
            context={"text": "From 800 ms to 400 ms."},
        )


def test_a_local_receiver_verifies_the_signature(
    personas, dummy_tasks, receiver, django_capture_on_commit_callbacks
):
    target = make_target(receiver.url)
    publish_celebration(personas, django_capture_on_commit_callbacks)
    run_queued(dummy_tasks)
    [request] = receiver.requests
    assert request.signature_ok  # the receiver's own HMAC-SHA256 of f"{timestamp}.{body}"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert abs(int(request.headers["X-Northstar-Timestamp"]) - time.time()) < 60
    hook = Delivery.objects.get(target=target)
    assert request.json == {
        "delivery": hook.pk,
        "kind": "celebration",
        "title": "🎉 “Cut p95 latency from 800 to 400” reached its target",
        "text": "From 800 ms to 400 ms.",
        "sections": [],
        "url": f"http://127.0.0.1:8000/key-results/{personas.kr_latency.pk}/",
    }
    assert hook.status == "sent"


def test_a_receiver_with_the_wrong_secret_refuses_and_the_delivery_retries(
    personas, dummy_tasks, receiver, django_capture_on_commit_callbacks
):
    target = make_target(receiver.url)
    target.secret = "not the receiver's secret"
    target.save()
    publish_celebration(personas, django_capture_on_commit_callbacks)
    run_queued(dummy_tasks)
    assert [r.signature_ok for r in receiver.requests] == [False]
    assert Delivery.objects.get(target=target).status == "retrying"


def test_verify_accepts_a_fresh_signature_only():
    body = b'{"kind":"kudos"}'
    now = time.time()
    stamp = str(int(now))
    assert verify(SECRET, stamp, body, sign(SECRET, stamp, body), now=now)
    assert not verify(SECRET, stamp, body + b" ", sign(SECRET, stamp, body), now=now)
    assert not verify(SECRET, stamp, body, sign(SECRET, stamp, body), now=now + 301)


def test_slack_gets_text_and_blocks_with_escaped_mrkdwn():
    payload = slack_payload(NOTICE)
    assert payload["text"] == NOTICE.title
    assert payload["blocks"] == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*🎉 “Cut &lt;p95&gt; &amp; latency” reached its target*\nWell done.",
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Key results*\n• <http://x.test/kr/1/|Cut p95 latency>",
            },
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "<http://x.test/kr/1/|Open in Northstar>"}],
        },
    ]


def test_teams_gets_an_adaptive_card_message():
    payload = teams_payload(NOTICE)
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert [block["text"] for block in card["body"]] == [
        NOTICE.title,
        "Well done.",
        "Key results",
        "- Cut p95 latency",
    ]
    assert all(block["type"] == "TextBlock" for block in card["body"])
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in Northstar", "url": "http://x.test/kr/1/"}
    ]


def test_slack_and_teams_targets_are_posted_in_their_format(
    personas, dummy_tasks, receiver, django_capture_on_commit_callbacks
):
    make_target(receiver.url, fmt="slack")
    make_target(receiver.url, fmt="teams")
    publish_celebration(personas, django_capture_on_commit_callbacks)
    run_queued(dummy_tasks)
    shapes = sorted(tuple(sorted(r.json)) for r in receiver.requests)
    assert shapes == [("attachments", "type"), ("blocks", "text")]
    assert all(r.signature_ok for r in receiver.requests)


def test_a_non_http_url_is_refused_without_retrying(
    personas, dummy_tasks, django_capture_on_commit_callbacks
):
    target = make_target("http://127.0.0.1:9/hook")
    target.url = "file:///etc/passwd"  # the form refuses it; the channel refuses it again
    target.save()
    publish_celebration(personas, django_capture_on_commit_callbacks)
    run_queued(dummy_tasks)
    hook = Delivery.objects.get(target=target)
    assert hook.status == "failed"
    assert "non-HTTP URL" in hook.last_error


def test_the_email_has_text_and_html_and_an_unsubscribe_link(
    personas, dummy_tasks, django_capture_on_commit_callbacks
):
    publish_celebration(personas, django_capture_on_commit_callbacks)
    run_queued(dummy_tasks)
    [message] = mail.outbox
    assert message.to == ["ben@northwind.test"]
    assert message.subject == "🎉 “Cut p95 latency from 800 to 400” reached its target"
    assert "From 800 ms to 400 ms." in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<h1" in html and "From 800 ms to 400 ms." in html
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://127.0.0.1:8000/notifications/unsubscribe/")
    assert f"Turn off “Celebrations”: {link}" in message.body
    assert f'href="{link}"' in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_recipient_without_an_address_fails_without_retrying(
    personas, dummy_tasks, django_capture_on_commit_callbacks
):
    publish_celebration(personas, django_capture_on_commit_callbacks)
    personas.ben.email = None
    personas.ben.save()
    run_queued(dummy_tasks)
    delivery = Delivery.objects.get(recipient=personas.ben)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "attempt 1: the recipient has no email address"
    assert tasks.retry_due() == 0
