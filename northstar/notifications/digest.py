"""The weekly digest for unit leads, as data.

A lead's units are the units they lead and every unit below. The digest looks at the key
results of those units' active objectives (and the personal objectives of their members) in
the cycles running today, *as the lead may see them*: everything comes through
`okrs.access.visible_key_results(lead)`, so a private objective the lead may not read is
neither named nor counted. "This week" is the seven organisation-local days ending today.

    moved         key results whose reading changed this week: the value before the week → the
                  latest one measured this week
    attention     key results at risk or stale today (progress.health)
    quiet         owners with no check-in on any of their key results this week
    celebrations  key results whose check-ins first reached the target (progress ≥ 1) this week
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse

from northstar.lib.urls import absolute_url
from northstar.notifications.models import Channel, Kind, Preference
from northstar.notifications.notice import Item, Section
from northstar.notifications.reminders import last_check_in, running_key_results
from northstar.okrs import progress as math
from northstar.okrs.access import led_units, standing, visible_key_results
from northstar.okrs.models import CheckIn, KeyResult
from northstar.people.models import Organisation, Person

WEEK = timedelta(days=6)  # today and the six days before it


@dataclass(frozen=True)
class Move:
    key_result: str
    old: str
    new: str
    url: str = ""

    @property
    def text(self) -> str:
        return f"{self.key_result}: {self.old} → {self.new}"


@dataclass(frozen=True)
class Attention:
    key_result: str
    owner: str
    status: str
    detail: str
    url: str = ""

    @property
    def text(self) -> str:
        return f"{self.key_result} ({self.owner}): {self.status}, {self.detail}"


@dataclass(frozen=True)
class Quiet:
    name: str
    key_results: int
    last: date | None

    @property
    def text(self) -> str:
        count = f"{self.key_results} key result{'s' if self.key_results > 1 else ''}"
        when = f"last check-in {self.last:%-d %b}" if self.last else "no check-in yet"
        return f"{self.name}: {count}, {when}"


@dataclass(frozen=True)
class Celebration:
    key_result: str
    owner: str
    reached_on: date
    url: str = ""

    @property
    def text(self) -> str:
        return f"{self.key_result} ({self.owner}) reached its target on {self.reached_on:%-d %b}"


@dataclass(frozen=True)
class Digest:
    lead: Person
    units: tuple[str, ...]
    first_day: date
    last_day: date
    moved: tuple[Move, ...] = ()
    attention: tuple[Attention, ...] = ()
    quiet: tuple[Quiet, ...] = ()
    celebrations: tuple[Celebration, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.moved or self.attention or self.quiet or self.celebrations)

    @property
    def title(self) -> str:
        week = f"{self.first_day:%-d %b} – {self.last_day:%-d %b}"
        return f"Weekly digest for {', '.join(self.units)}: {week}"

    @property
    def line(self) -> str:
        """One line for `northstar digest`."""
        counts = [
            f"{len(self.moved)} moved",
            f"{len(self.attention)} at risk or stale",
            f"{len(self.quiet)} not checked in",
            f"{len(self.celebrations)} celebration{'' if len(self.celebrations) == 1 else 's'}",
        ]
        return f"{self.lead.email}: {', '.join(self.units)} — {', '.join(counts)}"

    def sections(self) -> tuple[Section, ...]:
        parts = [
            ("What moved this week", self.moved),
            ("At risk or stale", self.attention),
            ("No check-in this week", self.quiet),
            ("Celebrations", self.celebrations),
        ]
        return tuple(
            Section(
                heading, tuple(Item(entry.text, getattr(entry, "url", "")) for entry in entries)
            )
            for heading, entries in parts
            if entries
        )

    def lines(self) -> list[str]:
        """The digest as text, a heading then its entries: what tests and logs read."""
        lines = []
        for section in self.sections():
            lines.append(section.heading)
            lines += [f"- {item.text}" for item in section.items]
        return lines

    def context(self) -> dict:
        return {
            "headline": self.title,
            "sections": list(self.sections()),
            "url": absolute_url(reverse("cascade")),
        }


# --- building it -----------------------------------------------------------------------------


def build_digest(lead: Person, *, org: Organisation, today: date) -> Digest:
    who = standing(lead)
    units = led_units(lead)
    key_results = list(
        running_key_results(today, visible_key_results(who)).filter(
            Q(objective__unit_id__in=units)
            | Q(objective__unit__isnull=True, objective__owner__unit_id__in=units)
        )
    )
    first_day = today - WEEK
    history = check_ins_by_key_result(key_results, today)
    return Digest(
        lead=lead,
        units=tuple(lead.led_units.order_by("name").values_list("name", flat=True)),
        first_day=first_day,
        last_day=today,
        moved=tuple(m for kr in key_results if (m := move(kr, history[kr.pk], first_day))),
        attention=tuple(a for kr in key_results if (a := attention(kr, org, today))),
        quiet=quiet_owners(key_results, first_day),
        celebrations=tuple(
            c for kr in key_results if (c := celebration(kr, history[kr.pk], first_day))
        ),
    )


def check_ins_by_key_result(key_results: list[KeyResult], today: date) -> dict:
    history: dict[int, list[CheckIn]] = defaultdict(list)
    rows = CheckIn.objects.filter(key_result__in=key_results, measured_on__lte=today)
    for check_in in rows.select_related("key_result").order_by("measured_on", "created_at", "pk"):
        history[check_in.key_result_id].append(check_in)
    return history


def kr_url(key_result: KeyResult) -> str:
    return absolute_url(reverse("key-result", args=[key_result.pk]))


def owner_name(key_result: KeyResult) -> str:
    owner = key_result.owner or key_result.objective.owner
    return owner.name if owner else "no owner"


def reading(key_result: KeyResult, check_in: CheckIn | None) -> str:
    if check_in is None:
        return "—"
    value = check_in.display_value
    if check_in.value is None or not key_result.unit:
        return value
    return f"{value}{key_result.unit}" if key_result.unit == "%" else f"{value} {key_result.unit}"


def move(key_result: KeyResult, check_ins: list[CheckIn], first_day: date) -> Move | None:
    before = [c for c in check_ins if c.measured_on < first_day]
    this_week = [c for c in check_ins if c.measured_on >= first_day]
    if not this_week:
        return None
    old = reading(key_result, before[-1] if before else None)
    new = reading(key_result, this_week[-1])
    if old == new:
        return None  # checked in, but nothing moved
    return Move(key_result.title, old, new, kr_url(key_result))


def attention(key_result: KeyResult, org: Organisation, today: date) -> Attention | None:
    health = key_result.health(org, today)
    if health == math.Health.STALE:
        status, detail = "stale", last_check_in(key_result)
    elif health == math.Health.AT_RISK:
        expected = key_result.get_cycle().expected_progress(today)
        status = "at risk"
        detail = (
            f"{math.fraction_to_percent(key_result.progress)} done, "
            f"{math.fraction_to_percent(expected)} expected"
        )
    else:
        return None
    return Attention(key_result.title, owner_name(key_result), status, detail, kr_url(key_result))


def celebration(
    key_result: KeyResult, check_ins: list[CheckIn], first_day: date
) -> Celebration | None:
    reached = [c for c in check_ins if c.progress_then is not None and c.progress_then >= 1]
    if not reached or reached[0].measured_on < first_day:
        return None
    return Celebration(
        key_result.title, owner_name(key_result), reached[0].measured_on, kr_url(key_result)
    )


def quiet_owners(key_results: list[KeyResult], first_day: date) -> tuple[Quiet, ...]:
    """Owners none of whose unfinished key results has a check-in measured this week."""
    owned: dict[int, list[KeyResult]] = defaultdict(list)
    people: dict[int, Person] = {}
    for kr in key_results:
        owner = kr.owner or kr.objective.owner
        if owner is None or (kr.progress is not None and kr.progress >= 1):
            continue  # finished work needs no check-in
        people[owner.pk] = owner
        owned[owner.pk].append(kr)
    quiet = []
    for pk, krs in owned.items():
        dates = [kr.last_check_in_on for kr in krs if kr.last_check_in_on]
        last = max(dates) if dates else None
        if last is None or last < first_day:
            quiet.append(Quiet(people[pk].name, len(krs), last))
    return tuple(sorted(quiet, key=lambda q: q.name))


def build_digests(org: Organisation, today: date) -> list[Digest]:
    """A digest for every active lead with an address who has not opted out and has news."""
    leads = list(
        Person.objects.active()
        .filter(led_units__isnull=False, email__isnull=False)
        .exclude(email="")
        .select_related("user")
        .distinct()
    )
    opted_out = Preference.objects.opted_out(Kind.DIGEST, Channel.EMAIL, leads)
    digests = [
        build_digest(lead, org=org, today=today) for lead in leads if lead.pk not in opted_out
    ]
    return sorted((d for d in digests if not d.is_empty), key=lambda d: d.lead.email.lower())
