"""What a notification says, independent of the channel that carries it.

A `Notice` is stored as JSON on each delivery when the event is published, so every channel
(mail, Slack, Teams, plain JSON) renders the same words, and a retry an hour later sends what
was true when it happened.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


def one_line(text: str) -> str:
    """Titles become mail subjects and chat headlines: no line breaks (header injection)."""
    return " ".join(str(text).split())


@dataclass(frozen=True)
class Item:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    text: str = ""
    sections: tuple[Section, ...] = field(default_factory=tuple)
    url: str = ""

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Notice:
        sections = tuple(
            Section(s["heading"], tuple(Item(**item) for item in s.get("items", ())))
            for s in data.get("sections", ())
        )
        return cls(
            kind=data["kind"],
            title=data["title"],
            text=data.get("text", ""),
            sections=sections,
            url=data.get("url", ""),
        )

    def plain_lines(self) -> list[str]:
        """The notice as plain text lines (mail text part, logs, tests)."""
        lines = [self.title]
        if self.text:
            lines += ["", self.text]
        for section in self.sections:
            lines += ["", section.heading]
            lines += [f"- {item.text}" for item in section.items]
        return lines
