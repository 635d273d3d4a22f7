"""Unit and person pages, "My OKRs", the people directory, and managing people and units."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from northstar.audit.models import record
from northstar.okrs.access import (
    get_person_for_user,
    get_unit_for_user,
    person_for,
    standing,
    visible_key_results,
    visible_objectives,
    visible_people,
    visible_units,
)
from northstar.okrs.models import Cycle
from northstar.people import access, actions
from northstar.people.forms import (
    DeactivateForm,
    MergeUnitForm,
    MoveUnitForm,
    NewUnitForm,
    PersonForm,
    PickPersonForm,
    UnitForm,
)
from northstar.people.models import Organisation, Person, Unit
from northstar.people.personal_data import erase_person, export_person
from northstar.web.htmx import HtmxHttpRequest, login_required
from northstar.web.queries import by_level, chosen_cycle, listing, mark_health, with_child_count

DIRECTORY_PAGE_SIZE = 100


def _posted(request: HtmxHttpRequest):
    """The form data of a POST, even an empty one (`request.POST or None` would treat an
    empty POST as a GET and skip validation)."""
    return request.POST if request.method == "POST" else None


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
        "can_manage": access.can_manage_unit(request.user, unit),
        "cycle": cycle,
        "cycles": cycles,
        "objectives": mark_health(by_level(with_child_count(objectives, request.user)), org, today),
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
        **_person_actions(request, person),
        "cycle": cycle,
        "cycles": cycles,
        "objectives": mark_health(by_level(with_child_count(objectives, request.user)), org, today),
        "key_results": mark_health(key_results, org, today),
    }
    return render(request, "web/people/person_detail.html", context)


def _person_actions(request: HtmxHttpRequest, person: Person) -> dict[str, bool]:
    """Which management links the person page shows (the viewer resolved once)."""
    who = standing(request.user)
    return {"can_manage": access.can_manage_person(who, person), "is_admin": access.is_admin(who)}


# The directory -----------------------------------------------------------------------------


@require_GET
@login_required
def directory(request: HtmxHttpRequest) -> HttpResponse:
    """Everyone, by name; `?q=` narrows by name or unit, `?inactive=1` adds former members."""
    people = listing(visible_people(request.user)).select_related("unit")
    inactive = request.GET.get("inactive") == "1"
    if not inactive:
        people = people.active()
    q = request.GET.get("q", "").strip()
    if q:
        people = people.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    context = {
        "page": Paginator(people, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page")),
        "q": q,
        "inactive": inactive,
        "can_invite": bool(access.managed_units(request.user)),
        "is_admin": access.is_admin(request.user),
    }
    return render(request, "web/people/directory.html", context)


# Managing a person -------------------------------------------------------------------------


def _actor(request: HtmxHttpRequest) -> Person | None:
    """Who the trail names: the signed-in person (created for a superuser on first use)."""
    return actions.person_for_user(request.user)


def _person_to_manage(request: HtmxHttpRequest, pk: int) -> Person:
    """404 when hidden, 403 when visible but not the viewer's to manage."""
    person = get_person_for_user(request.user, pk)
    if not access.can_manage_person(request.user, person):
        raise PermissionDenied("You may not manage this person.")
    return person


def _personal_data_of(request: HtmxHttpRequest, pk: int) -> Person:
    person = get_person_for_user(request.user, pk)
    if not access.can_see_personal_data(request.user):
        raise PermissionDenied("Only admins export or erase personal data.")
    return person


def add_action_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's complaint next to the field it names, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _active_people() -> list[Person]:
    return list(Person.objects.active().only("pk", "name", "email", "unit_id"))


@require_http_methods(["GET", "POST"])
@login_required
def person_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = _person_to_manage(request, pk)
    form = PersonForm(
        _posted(request),
        person=person,
        units=access.managed_units(request.user),
        people=_active_people(),
        admin=access.is_admin(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_person(person=person, actor=_actor(request), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Saved {person.name}.")
            return redirect("person", person.pk)
    context = {"person": person, "form": form}
    status = 422 if form.is_bound else 200
    return render(request, "web/people/person_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def person_deactivate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = _person_to_manage(request, pk)
    objectives, key_results = actions.open_objectives(person), actions.open_key_results(person)
    others = [p for p in _active_people() if p.pk != person.pk]
    form = DeactivateForm(_posted(request), people=others, required=bool(objectives or key_results))
    if request.method == "POST" and form.is_valid():
        try:
            actions.deactivate_person(
                person=person,
                actor=_actor(request),
                successor=form.cleaned_data["successor"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"{person.name} is deactivated.")
            return redirect("person", person.pk)
    context = {"person": person, "form": form, "objectives": objectives, "key_results": key_results}
    status = 422 if form.is_bound else 200
    return render(request, "web/people/person_deactivate.html", context, status=status)


@require_POST
@login_required
def person_reactivate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = _person_to_manage(request, pk)
    try:
        actions.reactivate_person(person=person, actor=_actor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{person.name} is active again and can sign in.")
    return redirect("person", person.pk)


@require_GET
@login_required
def person_export(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Everything stored about the person, as a JSON download."""
    person = _personal_data_of(request, pk)
    data = json.dumps(export_person(person), indent=2, ensure_ascii=False)
    record(actor=_actor(request), action="exported", target=person)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    return response


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that this replaces their name and email everywhere, for good."
    )


@require_http_methods(["GET", "POST"])
@login_required
def person_erase(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = _personal_data_of(request, pk)
    form = EraseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            pseudonym = erase_person(person=person, actor=_actor(request))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Erased. The person is now “{pseudonym}”.")
            return redirect("person", person.pk)
    status = 422 if form.is_bound else 200
    context = {"person": person, "form": form}
    return render(request, "web/people/person_erase.html", context, status=status)


# Managing units ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def unit_new(request: HtmxHttpRequest) -> HttpResponse:
    units = access.managed_units(request.user)
    admin = access.is_admin(request.user)
    if not units and not admin:
        raise PermissionDenied("Only admins and unit leads create units.")
    initial = {"parent": request.GET.get("parent", "")}
    form = NewUnitForm(_posted(request), units=units, admin=admin, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not access.can_manage_unit(request.user, data["parent"]):
            raise PermissionDenied("You may not add a unit there.")
        try:
            unit = actions.create_unit(
                name=data["name"], kind=data["kind"], parent=data["parent"], actor=_actor(request)
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Created {unit.name}.")
            return redirect("unit-manage", unit.pk)
    status = 422 if form.is_bound else 200
    return render(request, "web/people/unit_new.html", {"form": form}, status=status)


def _unit_to_manage(request: HtmxHttpRequest, pk: int) -> Unit:
    unit = get_unit_for_user(request.user, pk)
    if not access.can_manage_unit(request.user, unit):
        raise PermissionDenied("You may not manage this unit.")
    return unit


def _outside(unit: Unit, units: list[Unit]) -> list[Unit]:
    """The units that are neither this one nor below it: where it may move or merge to."""
    parents = {u.pk: u.parent_id for u in units}

    def below(candidate: Unit) -> bool:
        node, seen = candidate.pk, set()
        while node is not None and node not in seen:
            if node == unit.pk:
                return True
            seen.add(node)
            node = parents.get(node)
        return False

    return [u for u in units if not below(u)]


def _manage_forms(
    request: HtmxHttpRequest, unit: Unit, posted: str | None = None
) -> dict[str, forms.Form]:
    """Every form of the manage page; the one named `posted` is bound to the request."""

    def data(action: str):
        return request.POST if action == posted else None

    units = access.managed_units(request.user)
    admin = access.is_admin(request.user)
    targets = _outside(unit, units)
    people = _active_people()
    lead_ids = set(unit.leads.values_list("pk", flat=True))
    # A lead takes in people without a unit, or from units they manage, not from elsewhere.
    managed_ids = {u.pk for u in units}
    joinable = [
        p
        for p in people
        if p.unit_id != unit.pk and (admin or p.unit_id is None or p.unit_id in managed_ids)
    ]
    return {
        "rename": UnitForm(
            data("rename"), initial={"name": unit.name, "kind": unit.kind}, auto_id="rename_%s"
        ),
        "move": MoveUnitForm(
            data("move"),
            units=targets,
            admin=admin,
            initial={"parent": str(unit.parent_id or "")},
            auto_id="move_%s",
        ),
        "merge": MergeUnitForm(data("merge"), units=targets, auto_id="merge_%s"),
        "add_lead": PickPersonForm(
            data("add_lead"), people=[p for p in people if p.pk not in lead_ids], auto_id="lead_%s"
        ),
        "add_member": PickPersonForm(data("add_member"), people=joinable, auto_id="member_%s"),
    }


@require_http_methods(["GET", "POST"])
@login_required
def unit_manage(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One page for a unit's structure, leads and members; each form posts an `action`."""
    unit = _unit_to_manage(request, pk)
    if request.method == "GET":
        return _manage_page(request, unit, _manage_forms(request, unit))
    handler = UNIT_ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        return HttpResponseBadRequest("Unknown action.")
    return handler(request, unit)


def _manage_page(
    request: HtmxHttpRequest, unit: Unit, forms_by_action: dict[str, forms.Form], status: int = 200
) -> HttpResponse:
    context = {
        "unit": unit,
        "forms": forms_by_action,
        "leads": list(unit.leads.all()),
        "members": list(unit.members.active()),
        "is_admin": access.is_admin(request.user),
    }
    return render(request, "web/people/unit_manage.html", context, status=status)


def _submit(request: HtmxHttpRequest, unit: Unit, action: str, apply) -> HttpResponse:
    """Validate the posted form, run `apply(cleaned_data) -> (message, unit to show)`, and
    redirect; or show the page again with the form's errors."""
    all_forms = _manage_forms(request, unit, posted=action)
    form = all_forms[action]
    if form.is_valid():
        try:
            message, shown = apply(form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("unit-manage", shown.pk)
    unit.refresh_from_db()  # a refused rename leaves the typed name on the instance
    return _manage_page(request, unit, all_forms, status=422)


def _rename(request: HtmxHttpRequest, unit: Unit) -> HttpResponse:
    def apply(data: dict) -> tuple[str, Unit]:
        actions.update_unit(unit=unit, actor=_actor(request), name=data["name"], kind=data["kind"])
        return f"Saved {unit.name}.", unit

    return _submit(request, unit, "rename", apply)


def _move(request: HtmxHttpRequest, unit: Unit) -> HttpResponse:
    def apply(data: dict) -> tuple[str, Unit]:
        parent = data["parent"]
        if not access.can_manage_unit(request.user, parent):
            raise PermissionDenied("You may not move a unit there.")
        actions.move_unit(unit=unit, parent=parent, actor=_actor(request), reason=data["reason"])
        where = parent.name if parent else "the top level"
        return f"Moved {unit.name} under {where}.", unit

    return _submit(request, unit, "move", apply)


def _merge(request: HtmxHttpRequest, unit: Unit) -> HttpResponse:
    def apply(data: dict) -> tuple[str, Unit]:
        target = data["target"]
        moved = actions.merge_units(
            source=unit, target=target, actor=_actor(request), reason=data["reason"]
        )
        return f"Merged {unit.name} into {target.name}: moved {actions.describe(moved)}.", target

    return _submit(request, unit, "merge", apply)


def _add_lead(request: HtmxHttpRequest, unit: Unit) -> HttpResponse:
    def apply(data: dict) -> tuple[str, Unit]:
        actions.add_lead(unit=unit, person=data["person"], actor=_actor(request))
        return f"{data['person'].name} now leads {unit.name}.", unit

    return _submit(request, unit, "add_lead", apply)


def _add_member(request: HtmxHttpRequest, unit: Unit) -> HttpResponse:
    def apply(data: dict) -> tuple[str, Unit]:
        person = data["person"]
        if not access.can_add_member(request.user, unit, person):
            raise PermissionDenied("You may not move this person into the unit.")
        actions.add_member(unit=unit, person=person, actor=_actor(request))
        return f"{person.name} is now a member of {unit.name}.", unit

    return _submit(request, unit, "add_member", apply)


def _posted_person(request: HtmxHttpRequest, people) -> Person:
    pk = request.POST.get("person", "")
    if not pk.isdigit():
        raise BadRequest("Choose someone.")
    return get_object_or_404(people, pk=int(pk))


def _remove_lead(request: HtmxHttpRequest, unit: Unit) -> HttpResponse:
    person = _posted_person(request, unit.leads.all())
    actions.remove_lead(unit=unit, person=person, actor=_actor(request))
    messages.success(request, f"{person.name} no longer leads {unit.name}.")
    return redirect("unit-manage", unit.pk)


def _remove_member(request: HtmxHttpRequest, unit: Unit) -> HttpResponse:
    person = _posted_person(request, unit.members.all())
    actions.remove_member(unit=unit, person=person, actor=_actor(request))
    messages.success(request, f"{person.name} is no longer a member of {unit.name}.")
    return redirect("unit-manage", unit.pk)


UNIT_ACTIONS = {
    "rename": _rename,
    "move": _move,
    "merge": _merge,
    "add_lead": _add_lead,
    "remove_lead": _remove_lead,
    "add_member": _add_member,
    "remove_member": _remove_member,
}
