"""Divergence between what people say (confidence) and what the numbers say (pace).

Health answers "are we on track?" from progress and the calendar; divergence flags a
check-in whose confidence contradicts it, which is usually the most useful thing a lead can
ask about in a one-to-one. The math is `okrs.progress.divergence`; this adapts models to it.
"""

from __future__ import annotations

from datetime import date

from northstar.okrs import progress as math
from northstar.okrs.models import KeyResult
from northstar.people.models import Organisation

DIVERGENCE_TEXT = {
    "overconfident": "Confidence is high, but progress is well behind the plan.",
    "underconfident": "Confidence is low, yet progress is on track.",
}


def divergence(item: object, org: Organisation, today: date) -> str | None:
    """ "overconfident", "underconfident" or None for a key result's latest check-in.

    Objectives carry no confidence of their own, so they never diverge. Reads only what a
    list already loaded: the key result's cycle and its current check-in."""
    if not isinstance(item, KeyResult) or item.current_check_in_id is None:
        return None
    return math.divergence(
        item.progress,
        item.get_cycle().expected_progress(today),
        item.current_check_in.confidence,
        thresholds=math.Thresholds(org.behind_threshold, org.at_risk_threshold),
    )
