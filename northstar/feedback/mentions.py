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


def score(person: Person, token: str) -> int:
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


def naming_any(tokens: Iterable[str]) -> Q:
    """The people any of these tokens might name (a superset: `best_match` ranks them)."""
    condition = Q()
    for token in tokens:
        if "@" in token:
            condition |= Q(email__iexact=token)
        else:
            condition |= Q(email__istartswith=f"{token}@")
            condition |= Q(name__iexact=_spaced(token))
            condition |= Q(name__istartswith=f"{token} ") | Q(name__iexact=token)
    return condition


def best_match(token: str, people: Iterable[Person]) -> Person | None:
    """The one person the token names best, or None when nobody or several tie."""
    scored = [(points, p) for p in people if (points := score(p, token))]
    if not scored:
        return None
    best = max(points for points, _ in scored)
    winners = [p for points, p in scored if points == best]
    return winners[0] if len(winners) == 1 else None


def handles(person: Person) -> list[str]:
    """Every token by which a mention can name this person (see the module docstring)."""
    name = person.name.split()
    found = [person.email, person.email.partition("@")[0]] if person.email else []
    found += [separator.join(name) for separator in "._-"]
    found += name[:1]
    return list(dict.fromkeys(token for token in found if token))


def resolve(tokens: Iterable[str]) -> dict[str, Person]:
    """Each token that names exactly one active person, mapped to that person.

    One query for all the tokens; the ranking happens here, where "exactly one" is easy."""
    tokens = list(tokens)
    if not tokens:
        return {}
    candidates = list(Person.objects.active().filter(naming_any(tokens)).select_related("user"))
    found: dict[str, Person] = {}
    for token in tokens:
        person = best_match(token, candidates)
        if person is not None:
            found[token] = person
    return found
