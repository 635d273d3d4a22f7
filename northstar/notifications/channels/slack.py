"""Slack incoming webhook: `{"text": ..., "blocks": [...]}`.

`text` is the fallback Slack shows in notifications; the blocks carry the notice. Slack's
mrkdwn treats &, < and > as markup, so user text is escaped; a section holds at most 3,000
characters, so long lists are cut with "and N more".
"""

from __future__ import annotations

from northstar.notifications.channels.webhook import JsonWebhook
from northstar.notifications.models import Delivery
from northstar.notifications.notice import Item, Notice

MAX_ITEMS = 10
MAX_SECTION_TEXT = 3000


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> dict:
    if len(text) > MAX_SECTION_TEXT:
        text = text[: MAX_SECTION_TEXT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def bullet(item: Item) -> str:
    text = escape(item.text)
    return f"• <{item.url}|{text}>" if item.url else f"• {text}"


def slack_payload(notice: Notice) -> dict:
    head = f"*{escape(notice.title)}*"
    if notice.text:
        head += "\n" + escape(notice.text)
    blocks = [mrkdwn(head)]
    for section in notice.sections:
        lines = [bullet(item) for item in section.items[:MAX_ITEMS]]
        if len(section.items) > MAX_ITEMS:
            lines.append(f"… and {len(section.items) - MAX_ITEMS} more")
        blocks.append(mrkdwn("\n".join([f"*{escape(section.heading)}*", *lines])))
    if notice.url:
        link = {"type": "mrkdwn", "text": f"<{notice.url}|Open in Northstar>"}
        blocks.append({"type": "context", "elements": [link]})
    return {"text": notice.title, "blocks": blocks}


class SlackWebhook(JsonWebhook):
    def payload(self, notice: Notice, delivery: Delivery) -> dict:
        return slack_payload(notice)
