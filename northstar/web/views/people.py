"""Unit and person pages, and "My OKRs"."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from northstar.okrs.access import (
    get_person_for_user,
    get_unit_for_user,
    person_for,
    visible_key_results,
    visible_objectives,
    visible_people,
    visible_units,
)
from northstar.okrs.models import Cycle
from northstar.people.models import Organisation, Person
from northstar.web.htmx import HtmxHttpRequest, login_required
from northstar.web.queries import by_level, chosen_cycle, listing, mark_health, with_child_count


@require_GET
@login_required
def unit_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    org = Organisation.get()
    today = org.today()
    unit = get_unit_for_user(request.user, pk)
    cycles = list(Cycle.objects.all())
    cycle = chosen_cycle(cycles, request.GET.get("cycle"), today)
    objectives = (
        listing(visible_objectives(request.user))
        .counted()
        .filter(unit=unit, cycle=cycle)
        .select_related("owner", "unit", "cycle")
    )
    context = {
        "unit": unit,
        "ancestors": unit.ancestors()[::-1],
        "leads": list(listing(visible_people(request.user)).filter(led_units=unit)),
        "members": list(listing(visible_people(request.user)).active().filter(unit=unit)),
        "sub_units": list(listing(visible_units(request.user)).filter(parent=unit)),
        "cycle": cycle,
        "cycles": cycles,
        "objectives": mark_health(by_level(with_child_count(objectives)), org, today),
    }
    return render(request, "web/people/unit_detail.html", context)


@require_GET
@login_required
def person_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    return _person_page(request, person)


@require_GET
@login_required
def my_okrs(request: HtmxHttpRequest) -> HttpResponse:
    """The signed-in person's own page. An account without a person (say, an admin created
    with createsuperuser) gets an explanation instead of someone else's OKRs."""
    person = person_for(request.user)
    if person is None:
        return render(request, "web/people/no_person.html")
    return _person_page(request, person, is_me=True)


def _person_page(request: HtmxHttpRequest, person: Person, *, is_me: bool = False) -> HttpResponse:
    org = Organisation.get()
    today = org.today()
    cycles = list(Cycle.objects.all())
    cycle = chosen_cycle(cycles, request.GET.get("cycle"), today)
    objectives = (
        listing(visible_objectives(request.user))
        .counted()
        .filter(owner=person, cycle=cycle)
        .select_related("owner", "unit", "cycle")
    )
    key_results = (
        listing(visible_key_results(request.user))
        .filter(owner=person, objective__cycle=cycle)
        .exclude(objective__state="archived")
        .select_related("owner", "current_check_in", "objective__cycle")
        .order_by("objective__position", "objective_id", "position", "pk")
    )
    context = {
        "person": person,
        "is_me": is_me,
        "led_units": list(listing(visible_units(request.user)).filter(leads=person)),
        "cycle": cycle,
        "cycles": cycles,
        "objectives": mark_health(by_level(with_child_count(objectives)), org, today),
        "key_results": mark_health(key_results, org, today),
    }
    return render(request, "web/people/person_detail.html", context)
