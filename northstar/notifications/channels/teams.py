"""Microsoft Teams workflow ("Post to a channel when a webhook request is received"): a
message with one Adaptive Card 1.4 attachment, the shape the workflow's trigger expects."""

from __future__ import annotations

from northstar.notifications.channels.webhook import JsonWebhook
from northstar.notifications.models import Delivery
from northstar.notifications.notice import Notice

MAX_ITEMS = 10


def text_block(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def card_body(notice: Notice) -> list[dict]:
    body = [text_block(notice.title, weight="Bolder", size="Medium")]
    if notice.text:
        body.append(text_block(notice.text))
    for section in notice.sections:
        body.append(text_block(section.heading, weight="Bolder", spacing="Medium"))
        items = [f"- {item.text}" for item in section.items[:MAX_ITEMS]]
        if len(section.items) > MAX_ITEMS:
            items.append(f"- … and {len(section.items) - MAX_ITEMS} more")
        body.append(text_block("\n".join(items), spacing="Small"))
    return body


def teams_payload(notice: Notice) -> dict:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": card_body(notice),
    }
    if notice.url:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open in Northstar", "url": notice.url}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


class TeamsWebhook(JsonWebhook):
    def payload(self, notice: Notice, delivery: Delivery) -> dict:
        return teams_payload(notice)
