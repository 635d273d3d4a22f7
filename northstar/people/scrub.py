"""Take an erased person's former name, email and @handles out of free text.

Comments, kudos and stored notifications are written by people, so they spell the person out
in any of the ways the mentions parser understands (`feedback.mentions`): `@email`,
`@local-part`, `@first.last` and `@first`, besides the plain name and email. Each becomes
the pseudonym. A handle is the person's only when the parser's own rule would pick them —
the one best match — counting everyone, active or not: `@sam` stays when another Sam could be
meant, since rewriting it would put the pseudonym where someone else was named. The exception
is a comment recorded as mentioning them (`feedback.Mention`) in which no handle is theirs
alone any more: one of them named them when it was written, before a namesake arrived.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from northstar.feedback import mentions
from northstar.people.models import Person


class Scrubber:
    def __init__(self, person: Person, *, old_name: str, old_email: str | None) -> None:
        self.pseudonym = person.name
        # An unsaved stand-in with the former identity, for the parser's scoring.
        self.former = Person(pk=person.pk, name=old_name, email=old_email)
        self.patterns = _identity_patterns(old_name, old_email)
        self.namesakes = _namesakes(self.former)

    def text(self, text: str, *, mentioned: bool = False) -> str:
        """`text` with the person replaced by the pseudonym. `mentioned`: the text is a
        comment recorded as mentioning them, so one of its handles did name them then."""
        hers = self._handles_in(text, mentioned)
        for pattern in self.patterns:
            text = pattern.sub(self.pseudonym, text)
        return mentions.MENTION.sub(
            lambda match: self.pseudonym if match["token"] in hers else match[0], text
        )

    def _handles_in(self, text: str, mentioned: bool) -> set[str]:
        tokens = {match["token"] for match in mentions.MENTION.finditer(text)}
        everyone = [self.former, *self.namesakes]
        hers = {token for token in tokens if mentions.best_match(token, everyone) is self.former}
        if mentioned and not hers:
            # One of these resolved to them when written: the ones they still tie for.
            hers = {token for token in tokens if self._ties_for_best(token)}
        return hers

    def _ties_for_best(self, token: str) -> bool:
        points = mentions.score(self.former, token)
        return points > 0 and all(mentions.score(p, token) <= points for p in self.namesakes)

    def json(self, value: Any) -> Any:
        """Every string inside a JSON value (a stored notice), scrubbed."""
        return map_strings(value, self.text)


def _namesakes(former: Person) -> list[Person]:
    """Everyone else whom one of the person's handles might also name. Matched here rather
    than in SQL, whose case-insensitive matching may stop at ASCII ("Émile" and "émile")."""
    handles = mentions.handles(former)
    others = Person.objects.exclude(pk=former.pk).only("pk", "name", "email")
    return [
        person
        for person in others.iterator(chunk_size=2000)
        if any(mentions.score(person, handle) for handle in handles)
    ]


def _identity_patterns(name: str, email: str | None) -> list[re.Pattern]:
    """The full name as a whole phrase (case as written: "Will" is not "will") and the email
    (any case), each with an @ in front of it taken along."""
    patterns = []
    words = name.split()
    if words:
        phrase = r"\s+".join(re.escape(word) for word in words)
        patterns.append(re.compile(rf"(?<!\w)@?{phrase}(?!\w)"))
    if email:
        patterns.append(
            re.compile(rf"(?<![\w.+-])@?{re.escape(email)}(?![\w-]|\.\w)", re.IGNORECASE)
        )
    return patterns


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [map_strings(item, change) for item in value]
    if isinstance(value, dict):
        return {key: map_strings(item, change) for key, item in value.items()}
    return value
