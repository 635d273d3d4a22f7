"""Forms for accounts and for managing people and units. They only shape typed input; the
actions judge what a valid change is, and the views ask `people.access` who may make it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from northstar.people import throttle
from northstar.people.models import Invitation, Person, Unit

User = get_user_model()


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying plainly when the throttle refuses an attempt."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email address and password do not match an account.",
    }

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        until = throttle.locked_until(email, throttle.client_ip(self.request))
        if until is not None:
            minutes = throttle.minutes_left(until)
            raise ValidationError(
                f"Too many failed sign-ins for this email address or from this network. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                code="throttled",
            )
        return super().clean()


def unit_choices(units: list[Unit], *, top_level: str | None = None) -> list[tuple[str, str]]:
    """Units in tree order, indented by depth; an optional first entry for 'no unit'."""
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    known = {unit.pk for unit in units}
    stack = [(u, 0) for u in reversed(units) if u.parent_id is None or u.parent_id not in known]
    out = [("", top_level)] if top_level is not None else []
    seen: set[int] = set()
    while stack:
        unit, depth = stack.pop()
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        out.append((str(unit.pk), "\u2003" * depth + unit.name))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.pk, [])))
    return out


class UnitChoiceField(forms.ChoiceField):
    """A unit from a list the view already loaded (the units the viewer may manage)."""

    def __init__(self, units: list[Unit], *, top_level: str | None = None, **kwargs: Any):
        super().__init__(choices=unit_choices(units, top_level=top_level), **kwargs)
        self.units = {str(unit.pk): unit for unit in units}

    def clean(self, value: Any) -> Unit | None:
        value = super().clean(value)
        return self.units.get(value) if value else None


def people_choices(people: list[Person], *, empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(p.pk), _label(p)) for p in people)]


def _label(person: Person) -> str:
    return f"{person.name} ({person.email})" if person.email else person.name


class PersonChoiceField(forms.ChoiceField):
    def __init__(self, people: list[Person], *, empty: str = "Nobody", **kwargs: Any):
        super().__init__(choices=people_choices(people, empty=empty), **kwargs)
        self.people = {str(person.pk): person for person in people}

    def clean(self, value: Any) -> Person | None:
        value = super().clean(value)
        return self.people.get(value) if value else None


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Invitation.Role.choices, initial=Invitation.Role.MEMBER)

    def __init__(self, *args: Any, units: list[Unit], admin: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.admin = admin
        self.fields["unit"] = UnitChoiceField(
            units, top_level="No unit" if admin else None, required=not admin
        )
        if not admin:
            self.fields["role"].choices = [
                c for c in Invitation.Role.choices if c[0] != Invitation.Role.ADMIN
            ]


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name")
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    password_again = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        label="Password again",
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password = data.get("password")
        if password and password != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        elif password:
            # A stand-in account, so the validators can compare the password with the email.
            stand_in = User(username=self.invitation.email, email=self.invitation.email)
            try:
                validate_password(password, stand_in)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class PersonForm(forms.Form):
    """What an admin or lead edits about someone. Only admins see the role."""

    name = forms.CharField(max_length=200)
    job_title = forms.CharField(max_length=200, required=False)

    def __init__(
        self, *args: Any, person: Person, units: list[Unit], people: list[Person], admin: bool
    ):
        initial = {
            "name": person.name,
            "job_title": person.job_title,
            "role": person.role,
            "unit": str(person.unit_id or ""),
            "manager": str(person.manager_id or ""),
        }
        super().__init__(*args, initial=initial)
        if admin:
            self.fields["role"] = forms.ChoiceField(choices=Person.Role.choices)
        self.fields["unit"] = UnitChoiceField(units, top_level="No unit", required=False)
        others = [p for p in people if p.pk != person.pk]
        self.fields["manager"] = PersonChoiceField(others, required=False)


class DeactivateForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, people: list[Person], required: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["successor"] = PersonChoiceField(
            people,
            empty="Choose who takes over",
            required=required,
            help_text="Takes over their open objectives and key results.",
            error_messages={"required": "Choose who takes over their open work."},
        )
        self.order_fields(["successor", "reason"])


class UnitForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Unit.Kind.choices, initial=Unit.Kind.TEAM)


class NewUnitForm(UnitForm):
    def __init__(self, *args: Any, units: list[Unit], admin: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        top = "None (top level)" if admin else None
        self.fields["parent"] = UnitChoiceField(units, top_level=top, required=not admin)


class MoveUnitForm(forms.Form):
    def __init__(self, *args: Any, units: list[Unit], admin: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        top = "None (top level)" if admin else None
        self.fields["parent"] = UnitChoiceField(
            units, top_level=top, required=not admin, label="New parent"
        )
        self.fields["reason"] = forms.CharField(max_length=500, required=False)


class MergeUnitForm(forms.Form):
    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["target"] = UnitChoiceField(units, label="Merge into")
        self.fields["reason"] = forms.CharField(max_length=500, required=False)


class PickPersonForm(forms.Form):
    """Add a lead or a member."""

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"] = PersonChoiceField(people, empty="Choose someone")
