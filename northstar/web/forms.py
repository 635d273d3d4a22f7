"""Forms for the web pages: the cascade filter and the check-in.

The check-in form only shapes typed input; `actions.record_check_in` stays the judge of what
a valid check-in is (no date in the future, the note's length), and its errors are shown
next to the matching fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from northstar.okrs import actions
from northstar.okrs.models import CHECK_IN_NOTE_MAX_LENGTH, KeyResult
from northstar.okrs.progress import Health
from northstar.people.models import Person, Unit
from northstar.web.templatetags.northstar_tags import HEALTH_LABELS


class CascadeFilterForm(forms.Form):
    """Filters for a cycle's cascade. Choices come from lists the view already loaded, so
    validating and rendering them costs no queries."""

    unit = forms.ChoiceField(required=False, label="Unit")
    owner = forms.ChoiceField(required=False, label="Owner")
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Any status"), *((h.value, label) for h, label in HEALTH_LABELS.items())],
    )

    def __init__(self, *args: Any, units: list[Unit], owners: list[Person], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "All units"), *_indented(units)]
        self.fields["owner"].choices = [("", "Anyone"), *((str(p.pk), p.name) for p in owners)]

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    def health(self) -> Health | None:
        status = self.cleaned_data.get("status")
        return Health(status) if status else None


def _indented(units: list[Unit]) -> list[tuple[str, str]]:
    """Units in tree order, indented by depth, so the select reads like the org chart."""
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    known = {u.pk for u in units}
    roots = [u for u in units if u.parent_id is None or u.parent_id not in known]
    out: list[tuple[str, str]] = []
    stack = [(u, 0) for u in reversed(roots)]
    seen: set[int] = set()
    while stack:
        unit, depth = stack.pop()
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        out.append((str(unit.pk), "\u2003" * depth + unit.name))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.pk, [])))
    return out


def unit_subtree(units: list[Unit], root_pk: int) -> set[int]:
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


class DateInput(forms.DateInput):
    input_type = "date"


class CheckInForm(forms.Form):
    """One reading of a key result. The reading field depends on the kind: a number, a level
    to pick, or a done checkbox."""

    measured_on = forms.DateField(
        label="Measured on",
        widget=DateInput(format="%Y-%m-%d", attrs={"data-testid": "check-in-date"}),
    )
    confidence = forms.IntegerField(
        label="Confidence (0–10)",
        required=False,
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"data-testid": "check-in-confidence"}),
        help_text="0: no chance of reaching the target; 10: certain.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=CHECK_IN_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "check-in-note"}),
    )

    def __init__(self, *args: Any, key_result: KeyResult, today: date, **kwargs: Any):
        kwargs.setdefault("initial", {"measured_on": today})
        super().__init__(*args, **kwargs)
        self.key_result = key_result
        self.today = today
        reading = _reading_field(key_result)
        # The reading comes first: it is what people come to type.
        self.fields = {reading[0]: reading[1], **self.fields}

    def clean_value(self) -> float:
        try:
            return actions.parse_reading(self.key_result, self.cleaned_data["value"])["value"]
        except ValidationError as error:
            raise ValidationError(error.message_dict["value"]) from None

    def reading(self) -> dict[str, Any]:
        """Keyword arguments for `record_check_in`."""
        data = self.cleaned_data
        fields = {
            "measured_on": data["measured_on"],
            "confidence": data.get("confidence"),
            "note": data.get("note", "").strip(),
        }
        if self.key_result.kind == "milestone":
            return fields | {"done": bool(data.get("done"))}
        if self.key_result.kind == "levels":
            return fields | {"level": data["level"]}
        return fields | {"value": data["value"]}

    def add_action_errors(self, error: ValidationError) -> None:
        """Show an action's complaint next to the field it names, else above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


def _reading_field(kr: KeyResult) -> tuple[str, forms.Field]:
    if kr.kind == "milestone":
        return "done", forms.BooleanField(
            label="Done",
            required=False,
            widget=forms.CheckboxInput(attrs={"data-testid": "check-in-done"}),
            help_text="Leave unticked to record that it is not done yet.",
        )
    if kr.kind == "levels":
        choices = [
            (level.name, f"{level.name} ({level.score:.0%})") for level in kr.level_choices()
        ]
        return "level", forms.ChoiceField(
            label="Level",
            choices=[("", "Choose a level"), *choices],
            widget=forms.Select(attrs={"data-testid": "check-in-level"}),
        )
    label = f"Value ({kr.unit})" if kr.unit else "Value"
    return "value", forms.CharField(
        label=label,
        max_length=50,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-testid": "check-in-value"}),
    )
