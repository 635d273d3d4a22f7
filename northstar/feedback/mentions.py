"""@mentions: find them in a comment's text and resolve them to people.

A mention is `@` followed by an email address (`@ada@northwind.test`), an email's local part
(`@ada`), a full name with dots, dashes or underscores for spaces (`@ada.lovelace`), or a
first name when only one active person has it (`@Ada`). A mention that names nobody, or
several people equally well, stays plain text: guessing would notify the wrong person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q

from northstar.people.models import Person

# Not after a word character or another @, so the @ inside "ada@northwind.test" is no mention.
MENTION = re.compile(
    r"(?<![\w@])@(?P<token>[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\w(?:[\w.'-]*\w)?)",
    re.UNICODE,
)
# More than this in one comment is a mass notification, not a conversation.
MAX_MENTIONS = 20


def mention_tokens(text: str) -> list[str]:
    """The distinct mention tokens in `text`, in order, without the @ (pure; no database)."""
    seen: dict[str, str] = {}
    for match in MENTION.finditer(text):
        token = match.group("token")
        seen.setdefault(token.casefold(), token)
    return list(seen.values())[:MAX_MENTIONS]


def _spaced(token: str) -> str:
    return re.sub(r"[._-]+", " ", token).strip()


def _score(person: Person, token: str) -> int:
    """How well a person matches a token: 4 email, 3 email local part, 2 full name, 1 first
    name, 0 not at all."""
    wanted = token.casefold()
    email = (person.email or "").casefold()
    name = " ".join(person.name.split()).casefold()
    if "@" in wanted:
        return 4 if email == wanted else 0
    if email.partition("@")[0] == wanted:
        return 3
    if name == _spaced(wanted):
        return 2
    if name.split(" ")[0] == wanted:
        return 1
    return 0


def resolve(tokens: Iterable[str]) -> dict[str, Person]:
    """Each token that names exactly one active person, mapped to that person.

    One query for all the tokens; the ranking happens here, where "exactly one" is easy."""
    tokens = list(tokens)
    if not tokens:
        return {}
    condition = Q()
    for token in tokens:
        if "@" in token:
            condition |= Q(email__iexact=token)
        else:
            condition |= Q(email__istartswith=f"{token}@")
            condition |= Q(name__iexact=_spaced(token))
            condition |= Q(name__istartswith=f"{token} ") | Q(name__iexact=token)
    candidates = list(Person.objects.active().filter(condition).select_related("user"))
    found: dict[str, Person] = {}
    for token in tokens:
        scored = [(score, p) for p in candidates if (score := _score(p, token))]
        if not scored:
            continue
        best = max(score for score, _ in scored)
        winners = [p for score, p in scored if score == best]
        if len(winners) == 1:
            found[token] = winners[0]
    return found
