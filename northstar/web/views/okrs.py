"""The cascade, objective and key-result pages, and recording a check-in."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from northstar.insights import snapshots
from northstar.okrs import actions
from northstar.okrs import progress as math
from northstar.okrs.access import (
    Standing,
    can_check_in,
    get_key_result_for_user,
    get_objective_for_user,
    hidden_objectives,
    standing,
    visible_key_results,
    visible_objectives,
    visible_people,
    visible_units,
)
from northstar.okrs.models import Cycle, KeyResult, ObjectiveQuerySet
from northstar.people.models import Organisation, Person, Unit
from northstar.web.charts import progress_chart, value_chart
from northstar.web.forms import CascadeFilterForm, CheckInForm, unit_subtree
from northstar.web.htmx import HtmxHttpRequest, htmx_partial, login_required
from northstar.web.queries import (
    aligned_under,
    by_level,
    cascade_roots,
    key_result_history,
    listing,
    mark_health,
    mark_outer_parents,
    objective_history,
    pick_current_cycle,
    visible_thread,
    with_aligned_count,
    with_child_count,
)

# A filtered cascade is a flat list; past this many rows, people should narrow the filter.
FILTERED_LIMIT = 200

OBJECTIVE_RELATIONS = (
    "owner",
    "unit",
    "cycle",
    "parent_objective__cycle",
    "parent_key_result__objective__cycle",
)


@require_GET
@login_required
def home(request: HtmxHttpRequest) -> HttpResponse:
    org = Organisation.get()
    cycle = pick_current_cycle(list(Cycle.objects.all()), org.today())
    if cycle is None:
        return render(request, "web/okrs/no_cycles.html")
    return redirect("cycle", cycle.pk)


@require_GET
@login_required
def cycle_cascade(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    org = Organisation.get()
    today = org.today()
    cycles = list(Cycle.objects.all())
    cycle = next((c for c in cycles if c.pk == pk), None)
    if cycle is None:
        raise Http404("No such cycle.")

    viewer = standing(request.user)
    units = list(visible_units(viewer).only("pk", "name", "parent_id", "kind"))
    # Owners of what this viewer may read: someone whose only objective is private to
    # others must not show up in the filter either.
    in_cycle = visible_objectives(viewer).filter(cycle=cycle)
    owners = list(
        visible_people(viewer).filter(objectives__in=in_cycle).distinct().only("pk", "name")
    )
    owners += _requested_owner(request, viewer, owners)
    form = CascadeFilterForm(request.GET or None, units=units, owners=owners)
    objectives = listing(visible_objectives(viewer).counted().select_related(*OBJECTIVE_RELATIONS))

    total = None
    rejected = _rejected_filters(form)
    if rejected:
        # A filter we cannot apply matches nothing: showing the whole cascade instead would
        # pass it off as the filtered answer.
        rows, total = [], 0
    elif form.is_filtering:
        objectives = _filtered(objectives.filter(cycle=cycle), form, units)
        rows = mark_health(by_level(with_child_count(objectives, viewer)), org, today)
        if wanted := form.health():
            rows = [row for row in rows if row.current_health == wanted]
        total = len(rows)
        rows = rows[:FILTERED_LIMIT]
    else:
        roots = with_child_count(cascade_roots(objectives, cycle, viewer), viewer)
        rows = mark_health(by_level(roots), org, today)

    mark_outer_parents(rows)
    context = {
        "cycle": cycle,
        "cycles": cycles,
        "expected": cycle.expected_progress(today),
        "today": today,
        "form": form,
        "objectives": rows,
        "filtered": form.is_filtering or bool(rejected),
        "rejected": rejected,
        "total": total,
        "limit": FILTERED_LIMIT,
    }
    return render(request, "web/okrs/cascade.html", context)


def _requested_owner(
    request: HtmxHttpRequest, viewer: Standing, owners: list[Person]
) -> list[Person]:
    """The person `?owner=` names, when the viewer may see them but they own nothing visible
    in this cycle: the choices list only owners with objectives here, yet filtering by
    anyone else is a fair question (a link from their page), answered by "0 match"."""
    wanted = request.GET.get("owner", "")
    # ASCII digits only ("²" is a digit to isdigit, not to int), and short enough for the
    # database's integers; anything else is left to the form, which calls it unknown.
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 18):
        return []
    if any(person.pk == int(wanted) for person in owners):
        return []
    return list(visible_people(viewer).filter(pk=int(wanted)).only("pk", "name"))


def _rejected_filters(form: CascadeFilterForm) -> list[str]:
    """Say which filter values name nothing (a unit or person that does not exist, a status
    that is not one), so the page never drops a filter without a word."""
    if not form.is_bound or form.is_valid():
        return []
    return [
        f"Unknown {name} “{form.data.get(name, '')}”."
        for name in form.errors
        if name in form.fields
    ]


def _filtered(
    objectives: ObjectiveQuerySet, form: CascadeFilterForm, units: list[Unit]
) -> ObjectiveQuerySet:
    """Narrow by unit (its objectives, its sub-units' and its members' personal ones) and by
    owner in SQL; status is health, which depends on today, so the view filters it after."""
    if unit := form.cleaned_data.get("unit"):
        subtree = unit_subtree(units, int(unit))
        objectives = objectives.filter(
            Q(unit_id__in=subtree) | Q(unit__isnull=True, owner__unit_id__in=subtree)
        )
    if owner := form.cleaned_data.get("owner"):
        objectives = objectives.filter(owner_id=int(owner))
    return objectives


@require_GET
@login_required
def objective_children(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The cascade's disclosure: the objectives aligned under one, as a fragment, with the
    toggle button swapped out-of-band so its aria-expanded tells the truth.

    `?collapse=1` answers with the collapsed button and no children. Outside htmx there is
    nothing to expand into, so the objective's own page (which lists them) is the answer.
    """
    viewer = standing(request.user)
    objective = get_objective_for_user(viewer, pk)
    if not htmx_partial(request):
        return redirect("objective", pk)
    if request.GET.get("collapse"):
        objective.child_count = aligned_under(
            visible_objectives(viewer).counted(), objective
        ).count()
        context = {"objective": objective, "children": None, "expanded": False}
        return render(request, "web/components.html#children", context)
    org = Organisation.get()
    children = listing(aligned_under(visible_objectives(viewer).counted(), objective))
    children = children.select_related(*OBJECTIVE_RELATIONS, "parent_key_result")
    children = mark_health(by_level(with_child_count(children, viewer)), org, org.today())
    objective.child_count = len(children)
    # The parent's cycle, so that children from another cycle are labelled as such.
    context = {
        "objective": objective,
        "children": children,
        "expanded": True,
        "cycle": objective.cycle,
    }
    return render(request, "web/components.html#children", context)


@require_GET
@login_required
def objective_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    org = Organisation.get()
    today = org.today()
    viewer = standing(request.user)
    objective = get_objective_for_user(viewer, pk)
    key_results = list(
        with_aligned_count(
            listing(visible_key_results(viewer))
            .filter(objective=objective)
            .select_related("owner", "current_check_in"),
            viewer,
        )
    )
    for kr in key_results:
        kr.objective = objective  # health reads kr.objective.cycle: reuse the loaded one
    children = listing(aligned_under(visible_objectives(viewer), objective))
    children = children.select_related("owner", "unit", "cycle", "parent_key_result")
    children = with_child_count(children, viewer)
    thread, thread_hidden = visible_thread(objective, viewer)
    history, history_more = objective_history(objective, key_results, viewer)
    context = {
        "objective": objective,
        "key_results": mark_health(key_results, org, today),
        "children": mark_health(by_level(children), org, today),
        "includes_private": _includes_private(
            viewer, Q(parent_objective=objective) | Q(parent_key_result__objective=objective)
        ),
        "thread": thread,
        "thread_hidden": thread_hidden,
        "parent_hidden": thread_hidden and not thread,
        "expected": objective.cycle.expected_progress(today),
        "history": history,
        "history_more": history_more,
        "progress_chart": progress_chart(
            objective.title, objective.cycle, snapshots.history(objective), today
        ),
    }
    mark_health([objective], org, today)
    return render(request, "web/okrs/objective_detail.html", context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def key_result_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    viewer = standing(request.user)
    key_result = get_key_result_for_user(viewer, pk)
    return _key_result_page(request, viewer, key_result, org=Organisation.get(), form=None)


@require_POST
@login_required
def check_in(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    viewer = standing(request.user)
    # 404 for what the viewer may not see, 403 for what they see but may not change.
    key_result = get_key_result_for_user(viewer, pk)
    if not can_check_in(viewer, key_result):
        raise PermissionDenied("You may not check in on this key result.")
    org = Organisation.get()
    form = CheckInForm(request.POST, key_result=key_result, today=org.today())
    if form.is_valid():
        try:
            actions.record_check_in(
                key_result=key_result,
                author=viewer.person,
                actor=viewer.person,
                org=org,
                **form.reading(),
            )
        except ValidationError as error:
            form.add_action_errors(error)
        else:
            if not htmx_partial(request):
                messages.success(request, "Check-in recorded.")
                response = redirect("key-result", pk)
                response.status_code = 303  # See Other: the reload must not re-post
                return response
            fresh = get_key_result_for_user(viewer, pk)
            return _key_result_page(request, viewer, fresh, org=org, form=None, recorded=True)
    # 422 so that htmx (configured in base.html) swaps the panel with the errors in place.
    return _key_result_page(request, viewer, key_result, org=org, form=form, status=422)


def _includes_private(viewer: Standing, aligned: Q) -> bool:
    """Whether objectives hidden from the viewer are aligned here (and so count in the
    progress shown): the page says "includes private work", and nothing more."""
    return hidden_objectives(viewer).counted().filter(aligned).exists()


def _key_result_page(
    request: HtmxHttpRequest,
    viewer: Standing,
    key_result: KeyResult,
    *,
    org: Organisation,
    form: CheckInForm | None,
    recorded: bool = False,
    status: int = 200,
) -> HttpResponse:
    today = org.today()
    cycle = key_result.objective.cycle
    check_ins = list(listing(key_result.check_ins.select_related("author")))
    allowed = can_check_in(viewer, key_result)
    if allowed and form is None:
        form = CheckInForm(key_result=key_result, today=today)
    current = key_result.current_check_in
    expected = cycle.expected_progress(today)
    aligned = listing(visible_objectives(viewer).filter(parent_key_result=key_result))
    aligned = with_child_count(aligned.select_related("owner", "unit", "cycle"), viewer)
    above, thread_hidden = visible_thread(key_result.objective, viewer)
    history, history_more = key_result_history(key_result, viewer)
    context = {
        "key_result": key_result,
        "objective": key_result.objective,
        "thread": [key_result.objective, *above],
        "thread_hidden": thread_hidden,
        "includes_private": _includes_private(viewer, Q(parent_key_result=key_result)),
        "contributors": list(key_result.contributors.all()),
        "history": history,
        "history_more": history_more,
        "check_ins": check_ins[::-1],
        "chart": value_chart(key_result, check_ins, today),
        "health": key_result.health(org, today),
        "expected": expected,
        "divergence": math.divergence(
            key_result.progress,
            expected,
            current.confidence if current else None,
            thresholds=math.Thresholds(org.behind_threshold, org.at_risk_threshold),
        ),
        "aligned": mark_health(aligned, org, today),
        "can_check_in": allowed,
        "form": form,
        "recorded": recorded,
    }
    template = "web/okrs/key_result_detail.html"
    if htmx_partial(request):
        template += "#kr-panel"
    return render(request, template, context, status=status)
