"""One search box for objectives, key results, people and units."""

from __future__ import annotations

import re

from django.db.models import F, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from northstar.okrs.access import (
    Standing,
    standing,
    visible_key_results,
    visible_objectives,
    visible_people,
    visible_units,
)
from northstar.web.htmx import HtmxHttpRequest, login_required
from northstar.web.queries import listing

# Each kind shows at most this many hits; one more is fetched to know whether to say so.
LIMIT = 20
MAX_QUERY_LENGTH = 200
REFERENCE = re.compile(r"^(O|KR)-(\d+)$", re.IGNORECASE)


@require_GET
@login_required
def search(request: HtmxHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    context: dict = {"q": q, "limit": LIMIT, "sections": []}
    if q and (target := _exact_item(standing(request.user), q)):
        # The README promises that a pasted reference jumps straight to its item.
        return redirect(*target)
    if q:
        context["sections"] = _sections(request, q)
        context["found"] = sum(len(s["hits"]) for s in context["sections"])
    return render(request, "web/search.html", context)


def _exact_item(user: Standing, q: str) -> tuple[str, int] | None:
    """The one item (as a URL name and pk) that `q` names exactly: Northstar's own `O-12` /
    `KR-7`, or an external ID. Only what this viewer may read counts, so a hidden item is not
    revealed by a redirect; when the query names several items, the results list them all."""
    own = REFERENCE.match(q)
    objective_pk = int(own[2]) if own and own[1].upper() == "O" else None
    key_result_pk = int(own[2]) if own and own[1].upper() == "KR" else None
    # Two rows are enough to know that a name is not unique.
    objectives = (
        visible_objectives(user)
        .filter(Q(external_ref__iexact=q) | Q(pk=objective_pk))
        .values_list("pk", flat=True)[:2]
    )
    key_results = (
        visible_key_results(user)
        .filter(Q(external_ref__iexact=q) | Q(pk=key_result_pk))
        .values_list("pk", flat=True)[:2]
    )
    found = [("objective", pk) for pk in objectives] + [("key-result", pk) for pk in key_results]
    return found[0] if len(found) == 1 else None


def _sections(request: HtmxHttpRequest, q: str) -> list[dict]:
    # Every section lists only what this viewer may read: a private objective is not
    # found by its title, description or reference, and its key results are not either.
    user = standing(request.user)
    # "O-12" and "KR-7" are the references Northstar prints; let people paste them.
    own = REFERENCE.match(q)
    objective_pk = int(own[2]) if own and own[1].upper() == "O" else None
    key_result_pk = int(own[2]) if own and own[1].upper() == "KR" else None
    recent_first = (F("cycle__end").desc(nulls_last=True), "position", "pk")
    objectives = (
        visible_objectives(user)
        .filter(
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(external_ref__iexact=q)
            | Q(pk=objective_pk)
        )
        .select_related("owner", "unit", "cycle")
        .order_by(*recent_first)
    )
    key_results = (
        visible_key_results(user)
        .filter(
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(external_ref__iexact=q)
            | Q(pk=key_result_pk)
        )
        .select_related("owner", "objective__cycle")
        .order_by(F("objective__cycle__end").desc(nulls_last=True), "position", "pk")
    )
    people = (
        visible_people(user)
        .filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(job_title__icontains=q))
        .select_related("unit")
    )
    units = visible_units(user).filter(name__icontains=q).select_related("parent")
    sections = [
        ("objectives", "Objectives", objectives),
        ("key-results", "Key results", key_results),
        ("people", "People", people),
        ("units", "Units", units),
    ]
    out = []
    for slug, title, queryset in sections:
        hits = list(listing(queryset)[: LIMIT + 1])
        out.append({"slug": slug, "title": title, "hits": hits[:LIMIT], "more": len(hits) > LIMIT})
    return out
