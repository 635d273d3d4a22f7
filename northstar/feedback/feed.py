"""A unit's activity feed: check-ins, celebrations, kudos and comments, newest first.

"In the unit" means on an objective of the unit or of a unit below it, or on a personal
objective of someone in those units (the same reach as the cascade's unit filter). Every
row passes through `okrs.access`, so what a viewer may not read never appears, not even as
a count.

Pages are cut with a cursor (the last entry's time, kind and id) rather than an offset: each
page costs one bounded query per kind, however deep into the history it is, and entries
written while someone reads do not shift the next page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from northstar.feedback.models import Celebration, Comment, Kudos
from northstar.okrs.access import Viewer, standing, visible_check_ins, visible_objectives
from northstar.okrs.models import KeyResult, Objective
from northstar.people.models import Unit

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# Ties on time (a celebration carries its check-in's time) break by kind, then by id.
RANK = {"check_in": 0, "celebration": 1, "kudos": 2, "comment": 3}


@dataclass(frozen=True)
class Entry:
    kind: str  # a key of RANK: templates switch on it
    at: datetime
    item: Any  # CheckIn | Celebration | Kudos | Comment
    objective: Objective
    key_result: KeyResult | None

    @property
    def key(self) -> tuple[datetime, int, int]:
        return (self.at, RANK[self.kind], self.item.pk)

    @property
    def cursor(self) -> str:
        return f"{self.at.isoformat()}~{RANK[self.kind]}~{self.item.pk}"


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    next_cursor: str | None


def parse_cursor(text: str | None) -> tuple[datetime, int, int] | None:
    """A cursor from a query string; anything malformed means "from the newest"."""
    if not text:
        return None
    try:
        at, rank, pk = text.split("~")
        return datetime.fromisoformat(at), int(rank), int(pk)
    except ValueError:
        return None


def subtree(units: list[Unit], root_pk: int) -> set[int]:
    """The unit and every unit below it, from an already loaded list."""
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.pk)
    found, todo = set(), [root_pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def _in_units(path: str, units: set[int]) -> Q:
    return Q(**{f"{path}unit_id__in": units}) | Q(
        **{f"{path}unit__isnull": True, f"{path}owner__unit_id__in": units}
    )


def _before(kind: str, cursor: tuple[datetime, int, int] | None, time_field: str) -> Q:
    """Rows that come after the cursor in the feed's newest-first order."""
    if cursor is None:
        return Q()
    at, rank, pk = cursor
    earlier = Q(**{f"{time_field}__lt": at})
    if RANK[kind] < rank:
        return earlier | Q(**{time_field: at})
    if RANK[kind] == rank:
        return earlier | Q(**{time_field: at, "pk__lt": pk})
    return earlier


def unit_feed(
    viewer: Viewer,
    unit: Unit,
    units: list[Unit],
    *,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of the unit's feed as the viewer may see it. `units` is the organisation's
    unit list (pk and parent_id suffice), which the caller usually has loaded already."""
    who = standing(viewer)
    size = max(1, min(size, MAX_PAGE_SIZE))
    cursor = parse_cursor(before)
    reach = subtree(units, unit.pk)
    readable = visible_objectives(who).values("pk")
    wanted = size + 1  # one more than shown tells whether there is a next page

    check_ins = _newest(
        visible_check_ins(who)
        .filter(_in_units("key_result__objective__", reach))
        .filter(_before("check_in", cursor, "created_at"))
        .select_related("author", "key_result__objective"),
        "created_at",
        wanted,
    )
    others: dict[str, QuerySet] = {
        "celebration": Celebration.objects.select_related(
            "objective__owner", "key_result__owner", "check_in__author"
        ),
        "kudos": Kudos.objects.select_related(
            "giver", "receiver", "objective", "key_result", "check_in"
        ),
        "comment": Comment.objects.select_related("author", "objective", "key_result", "check_in"),
    }
    entries = [
        Entry("check_in", c.created_at, c, c.key_result.objective, c.key_result) for c in check_ins
    ]
    for kind, rows in others.items():
        rows = (
            rows.filter(objective__in=readable)
            .filter(_in_units("objective__", reach))
            .filter(_before(kind, cursor, "created"))
        )
        entries += [
            Entry(kind, row.created, row, row.objective, row.key_result)
            for row in _newest(rows, "created", wanted)
        ]
    entries.sort(key=lambda entry: entry.key, reverse=True)
    shown = entries[:size]
    more = len(entries) > size
    return Page(shown, shown[-1].cursor if more and shown else None)


def _newest(rows: QuerySet, time_field: str, count: int) -> list:
    return list(rows.order_by(f"-{time_field}", "-pk")[:count])
