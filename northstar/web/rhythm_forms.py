"""Forms for the weekly rhythm: the check-in sheet (one row per key result), comments and
kudos.

A row of the sheet is the key-result page's `CheckInForm` with every field optional: a row
left as it was rendered is skipped, and `okrs.actions.record_check_in` stays the judge of
what a valid check-in is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from northstar.feedback.models import COMMENT_MAX_LENGTH, KUDOS_MAX_LENGTH
from northstar.okrs.models import KeyResult
from northstar.okrs.progress import UNDERCONFIDENT_UP_TO
from northstar.web.forms import CheckInForm

NOTE_MAX_LENGTH = 1000
LOW_CONFIDENCE_MESSAGE = "Confidence is 3 or lower: what would help? Add a note."


class CheckInRowForm(CheckInForm):
    key_result_id = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, key_result: KeyResult, today: date, **kwargs: Any):
        super().__init__(*args, key_result=key_result, today=today, **kwargs)
        self.reading_name = next(iter(self.fields))  # value, level or done: CheckInForm's first
        reading = self.fields[self.reading_name]
        reading.required = False
        if self.reading_name == "value":
            reading.widget = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
        if self.reading_name == "level":
            reading.choices = [("", "No new level"), *reading.choices[1:]]
        # One line, so that Enter submits the sheet rather than starting a new line.
        self.fields["note"] = forms.CharField(
            label="Note",
            required=False,
            max_length=NOTE_MAX_LENGTH,
            help_text="Required when confidence is 3 or lower: what would help?",
        )
        # What people type most comes first; the date usually stays today.
        self.order_fields([self.reading_name, "confidence", "note", "measured_on"])
        for field in self.fields.values():
            # The test ids of the single-check-in form would repeat on every row.
            field.widget.attrs.pop("data-testid", None)

    def clean_value(self) -> float | None:
        if not (self.cleaned_data.get("value") or "").strip():
            return None
        return super().clean_value()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("key_result_id") != self.key_result.pk:
            raise ValidationError("The list of key results changed; reload the page.")
        if self.reading_name == "value" and data.get("value") is None:
            self.add_error("value", "Give a value, or leave the whole row empty.")
        if self.reading_name == "level" and not data.get("level"):
            self.add_error("level", "Choose a level, or leave the whole row empty.")
        confidence = data.get("confidence")
        low = confidence is not None and confidence <= UNDERCONFIDENT_UP_TO
        if low and not data.get("note", "").strip():
            self.add_error("note", LOW_CONFIDENCE_MESSAGE)
        return data


class BaseCheckInSheet(forms.BaseFormSet):
    """One row per key result, in the order given. Rows left as rendered are skipped (a
    formset's "extra" rows behave the same way), so only what was typed is validated."""

    def __init__(self, *args: Any, key_results: list[KeyResult], today: date, **kwargs: Any):
        self.key_results = key_results
        self.today = today
        kwargs.setdefault(
            "initial", [{"key_result_id": kr.pk, "measured_on": today} for kr in key_results]
        )
        kwargs.setdefault("prefix", "kr")
        super().__init__(*args, **kwargs)

    def total_form_count(self) -> int:
        # Never more rows than key results, whatever the posted management form says.
        return min(super().total_form_count(), len(self.key_results))

    def get_form_kwargs(self, index: int) -> dict[str, Any]:
        return {"key_result": self.key_results[index], "today": self.today, "empty_permitted": True}

    @property
    def filled(self) -> list[CheckInRowForm]:
        return [form for form in self.forms if form.has_changed()]

    def clean(self) -> None:
        if self.is_bound and not self.filled:
            raise ValidationError("Fill in at least one key result; empty rows are skipped.")


CheckInSheet = forms.formset_factory(CheckInRowForm, formset=BaseCheckInSheet, extra=0)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown works. Mention someone with @ and their email or first.last name.",
    )


class KudosForm(forms.Form):
    message = forms.CharField(
        label="Kudos message",
        max_length=KUDOS_MAX_LENGTH,
        help_text=f"A short thank-you, up to {KUDOS_MAX_LENGTH} characters.",
    )
