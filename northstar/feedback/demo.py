"""A little conversation for the demo organisation: kudos from leads on recent check-ins, and
a lead asking what would help on each key result at risk, with an answer.

Called by `okrs.demo.build_demo` after the quarter's check-ins. Deterministic like the rest of
the demo: no randomness, and every timestamp derives from a check-in's, never the clock.
"""

from __future__ import annotations

from datetime import date, timedelta

from northstar.feedback import actions
from northstar.feedback.models import Comment, Kudos
from northstar.okrs.models import CheckIn, Cycle, KeyResult, Objective
from northstar.okrs.progress import Health
from northstar.people.models import Organisation, Person

KUDOS = [
    "Great progress this week, thank you!",
    "Steady work, and it shows.",
    "Thanks for keeping this moving.",
    "Really clear update, thanks.",
]
MAX_KUDOS = 12
MAX_QUESTIONS = 6


def converse(cycle: Cycle, today: date) -> tuple[int, int]:
    """Add the demo's kudos and comments to `cycle`; returns (kudos, comments) written."""
    org = Organisation.get()
    objectives = list(
        Objective.objects.filter(cycle=cycle, unit__isnull=False)
        .select_related("unit__parent", "cycle")
        .order_by("pk")
    )
    leads = _first_leads({o.unit_id for o in objectives} | {o.unit.parent_id for o in objectives})
    kudos = sum(_thank(o, leads) for o in objectives[: MAX_KUDOS * 2]) if leads else 0
    at_risk = [
        kr
        for kr in KeyResult.objects.filter(objective__in=objectives, progress_source="own")
        .select_related("objective__unit__parent", "objective__cycle", "owner", "current_check_in")
        .order_by("pk")
        if kr.current_check_in_id and kr.health(org, today) == Health.AT_RISK
    ]
    # One question per owner: a lead asks once, not about every key result in a row.
    asked = {kr.owner_id: kr for kr in reversed(at_risk)}
    first = sorted(asked.values(), key=lambda kr: kr.pk)[:MAX_QUESTIONS]
    comments = sum(_ask(kr, leads) for kr in first)
    return kudos, comments


def _first_leads(unit_ids: set[int | None]) -> dict[int, Person]:
    leads: dict[int, Person] = {}
    for person in Person.objects.filter(led_units__in=unit_ids - {None}).order_by("pk"):
        for unit_id in person.led_units.values_list("pk", flat=True):
            leads.setdefault(unit_id, person)
    return leads


def _lead_for(objective: Objective, author: Person | None, leads: dict[int, Person]):
    """The unit's lead, or the lead above when the author leads the unit themselves."""
    for unit_id in (objective.unit_id, objective.unit.parent_id):
        lead = leads.get(unit_id)
        if lead is not None and (author is None or lead.pk != author.pk):
            return lead
    return None


def _thank(objective: Objective, leads: dict[int, Person]) -> int:
    if Kudos.objects.count() >= MAX_KUDOS:
        return 0
    check_in = (
        CheckIn.objects.filter(key_result__objective=objective, author__isnull=False)
        .select_related("author", "key_result__objective")
        .order_by("-measured_on", "-created_at", "-pk")
        .first()
    )
    giver = _lead_for(objective, check_in.author, leads) if check_in else None
    if giver is None:
        return 0
    message = KUDOS[objective.pk % len(KUDOS)]
    kudos = actions.give_kudos(subject=check_in, giver=giver, message=message)
    Kudos.objects.filter(pk=kudos.pk).update(created=check_in.created_at + timedelta(hours=2))
    return 1


def _ask(kr: KeyResult, leads: dict[int, Person]) -> int:
    owner = kr.owner
    lead = _lead_for(kr.objective, owner, leads)
    if lead is None or owner is None or not owner.email:
        return 0
    handle = owner.email.partition("@")[0]
    when = kr.current_check_in.created_at
    question = actions.add_comment(
        subject=kr,
        author=lead,
        body=f"@{handle} this looks stuck. **What would help?** Happy to find time this week.",
    )
    answer = actions.add_comment(
        subject=kr,
        author=owner,
        body="Thanks! A second pair of hands for two days would unblock it.",
    )
    Comment.objects.filter(pk=question.pk).update(created=when + timedelta(hours=3))
    Comment.objects.filter(pk=answer.pk).update(created=when + timedelta(hours=4))
    return 2
