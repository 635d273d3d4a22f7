"""The weekly rhythm: my check-in page, a unit's activity feed, and the comments and kudos
on objectives, key results and check-ins."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from northstar.feedback import actions as feedback
from northstar.feedback.feed import PAGE_SIZE, unit_feed
from northstar.feedback.models import Comment, Kudos, Subject, anchor
from northstar.feedback.status import DIVERGENCE_TEXT
from northstar.okrs import actions
from northstar.okrs.access import (
    Standing,
    can_check_in,
    get_key_result_for_user,
    get_objective_for_user,
    get_unit_for_user,
    standing,
    visible_check_ins,
    visible_key_results,
    visible_units,
)
from northstar.okrs.models import KeyResult, State
from northstar.people.models import Organisation, Person
from northstar.web.charts import expected_label
from northstar.web.htmx import HtmxHttpRequest, htmx_partial, login_required
from northstar.web.queries import listing, mark_health
from northstar.web.rhythm_forms import CheckInSheet, CommentForm, KudosForm

# A unit page previews this many entries of its feed.
PREVIEW_SIZE = 5
# A thread shows this many of the newest comments (and kudos); older ones stay in the feed.
THREAD_LIMIT = 50


# --- my check-in ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def my_check_in(request: HtmxHttpRequest) -> HttpResponse:
    """Every key result I own or contribute to in the running cycles, in one form."""
    who = standing(request.user)
    if who.person is None:
        return render(request, "web/people/no_person.html")
    org = Organisation.get()
    today = org.today()
    key_results = my_key_results(who, who.person, today)
    sheet = CheckInSheet(request.POST or None, key_results=key_results, today=today)
    if request.method == "POST":
        if not who.writes:
            raise PermissionDenied("Your access is read only.")
        if sheet.is_valid() and (saved := _record_all(sheet, who, org)):
            messages.success(request, f"Recorded {saved} check-in{'s' if saved != 1 else ''}.")
            response = redirect("my-check-in")
            response.status_code = 303  # See Other: a reload must not post again
            return response
        # A refused save may have touched the in-memory key results: show fresh figures.
        key_results = my_key_results(who, who.person, today)
    rows = list(zip(sheet.forms, _mark(key_results, org, today), strict=False))
    _autofocus(sheet)
    context = {
        "sheet": sheet,
        "rows": rows,
        "today": today,
        "cycles": sorted({kr.objective.cycle for kr in key_results}, key=lambda c: c.start),
        "read_only": not who.writes,
        "me": who.person,
    }
    status = 422 if sheet.is_bound else 200
    return render(request, "web/rhythm/check_in.html", context, status=status)


def my_key_results(who: Standing, person: Person, today: date) -> list[KeyResult]:
    """Key results I own or contribute to, that take check-ins, in the cycles running today
    (the quarter, and the year around it); in the order of their objectives. One query."""
    contributed = KeyResult.objects.filter(contributors=person).values("pk")
    return list(
        listing(visible_key_results(who))
        .filter(Q(owner=person) | Q(pk__in=contributed))
        .filter(objective__cycle__start__lte=today, objective__cycle__end__gte=today)
        .filter(state=KeyResult.State.ACTIVE, progress_source=KeyResult.Source.OWN)
        .exclude(objective__state__in=[State.CLOSED, State.ARCHIVED])
        .select_related("objective__cycle", "current_check_in", "owner")
        .order_by(
            "objective__cycle__start", "objective__position", "objective_id", "position", "pk"
        )
    )


def _mark(key_results: list[KeyResult], org: Organisation, today: date) -> list[KeyResult]:
    """Health, divergence and today's expected value on each row."""
    for kr in mark_health(key_results, org, today):
        kr.divergence_text = DIVERGENCE_TEXT.get(kr.current_divergence or "", "")
        kr.expected_today = expected_label(kr, today)
    return key_results


class _Refused(Exception):
    """A row failed inside the transaction: everything written so far is undone."""


def _record_all(sheet: CheckInSheet, who: Standing, org: Organisation) -> int:
    """Record every filled row in one transaction; 0 (and errors on the row) if any fails."""
    filled = sheet.filled
    try:
        with transaction.atomic():
            for form in filled:
                if not can_check_in(who, form.key_result):
                    form.add_error(None, "You may not check in on this key result.")
                    raise _Refused
                try:
                    actions.record_check_in(
                        key_result=form.key_result,
                        author=who.person,
                        actor=who.person,
                        org=org,
                        **form.reading(),
                    )
                except ValidationError as error:
                    form.add_action_errors(error)
                    raise _Refused from error
    except _Refused:
        return 0
    return len(filled)


def _autofocus(sheet: CheckInSheet) -> None:
    """Focus the first field with an error, else the first row's reading."""
    for form in sheet.forms:
        for name in form.fields:
            if name in form.errors:
                form.fields[name].widget.attrs["autofocus"] = True
                return
    if sheet.forms and not sheet.non_form_errors():
        first = sheet.forms[0]
        first.fields[first.reading_name].widget.attrs["autofocus"] = True


# --- a unit's activity -------------------------------------------------------------------


@require_GET
@login_required
@vary_on_headers("HX-Request")
def unit_activity(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The feed page; for htmx, `?preview=1` answers the unit page's section and
    `?before=<cursor>` the next page of entries."""
    who = standing(request.user)
    unit = get_unit_for_user(who, pk)
    preview = htmx_partial(request) and bool(request.GET.get("preview"))
    units = list(visible_units(who).only("pk", "parent_id"))
    size = PREVIEW_SIZE if preview else PAGE_SIZE
    page = unit_feed(who, unit, units, before=request.GET.get("before"), size=size)
    context = {"unit": unit, "page": page, "zone": Organisation.get().time_zone}
    template = "web/rhythm/activity.html"
    if preview:
        template += "#preview"
    elif htmx_partial(request):
        template += "#entries"
    return render(request, template, context)


# --- comments and kudos --------------------------------------------------------------------


def _subject(who: Standing, kind: str, pk: int) -> Subject:
    """The subject through the access funnels: 404 for what the viewer may not read."""
    if kind == "objective":
        return get_objective_for_user(who, pk)
    if kind == "key_result":
        return get_key_result_for_user(who, pk)
    check_ins = visible_check_ins(who).select_related(
        "author", "key_result__owner", "key_result__objective__cycle"
    )
    return get_object_or_404(check_ins, pk=pk)


def _urls(kind: str, pk: int) -> dict[str, str]:
    slug = kind.replace("_", "-")
    return {name: reverse(f"{slug}-{name}", args=[pk]) for name in ("feedback", "comment", "kudos")}


def _thread(
    request: HtmxHttpRequest,
    who: Standing,
    kind: str,
    subject: Subject,
    *,
    comment_form: CommentForm | None = None,
    kudos_form: KudosForm | None = None,
    posted: str = "",
    status: int = 200,
) -> HttpResponse:
    narrow = _narrow(kind, subject)
    comments = _newest(
        Comment.objects.filter(narrow).select_related("author", "check_in"), THREAD_LIMIT
    )
    kudos = _newest(
        Kudos.objects.filter(narrow).select_related("giver", "receiver", "check_in"),
        THREAD_LIMIT,
    )
    receiver = feedback.receiver_of(subject)
    writes = who.writes and who.person is not None
    context = {
        "kind": kind,
        "subject": subject,
        "urls": _urls(kind, subject.pk),
        "comments": comments,
        "kudos": kudos,
        "receiver": receiver,
        "can_comment": writes,
        "can_give_kudos": writes and receiver is not None and receiver.pk != who.person.pk,
        "comment_form": comment_form or CommentForm(auto_id=f"id_{kind}_{subject.pk}_%s"),
        "kudos_form": kudos_form or KudosForm(auto_id=f"id_{kind}_{subject.pk}_kudos_%s"),
        "posted": posted,
        "zone": Organisation.get().time_zone,
    }
    template = "web/rhythm/comments.html#thread"
    if not htmx_partial(request):
        template = "web/rhythm/feedback_page.html"
        context |= anchor(subject)
    return render(request, template, context, status=status)


def _narrow(kind: str, subject: Subject) -> Q:
    if kind == "objective":
        return Q(objective=subject, key_result__isnull=True)
    if kind == "key_result":
        return Q(key_result=subject)  # with its check-ins' threads, each labelled
    return Q(check_in=subject)


def _newest(rows: QuerySet, limit: int) -> list:
    """The newest `limit` rows, shown oldest first like a conversation."""
    return list(rows.order_by("-created", "-pk")[:limit])[::-1]


@require_GET
@login_required
@vary_on_headers("HX-Request")
def subject_feedback(request: HtmxHttpRequest, kind: str, pk: int) -> HttpResponse:
    who = standing(request.user)
    return _thread(request, who, kind, _subject(who, kind, pk))


def _writer(who: Standing) -> Person:
    if not who.writes or who.person is None:
        raise PermissionDenied("Your access is read only.")
    return who.person


def _done(
    request: HtmxHttpRequest, who: Standing, kind: str, subject: Subject, posted: str
) -> HttpResponse:
    """After a successful post: the fresh thread for htmx, else back to the subject's page."""
    if htmx_partial(request):
        return _thread(request, who, kind, subject, posted=posted)
    response = redirect(f"{feedback.subject_url(subject)}#feedback")
    response.status_code = 303
    return response


@require_POST
@login_required
def post_comment(request: HtmxHttpRequest, kind: str, pk: int) -> HttpResponse:
    who = standing(request.user)
    subject = _subject(who, kind, pk)
    author = _writer(who)
    form = CommentForm(request.POST, auto_id=f"id_{kind}_{pk}_%s")
    if form.is_valid():
        try:
            feedback.add_comment(subject=subject, author=author, body=form.cleaned_data["body"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, who, kind, subject, "Comment posted.")
    return _thread(request, who, kind, subject, comment_form=form, status=422)


@require_POST
@login_required
def post_kudos(request: HtmxHttpRequest, kind: str, pk: int) -> HttpResponse:
    who = standing(request.user)
    subject = _subject(who, kind, pk)
    giver = _writer(who)
    form = KudosForm(request.POST, auto_id=f"id_{kind}_{pk}_kudos_%s")
    if form.is_valid():
        try:
            feedback.give_kudos(subject=subject, giver=giver, message=form.cleaned_data["message"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, who, kind, subject, "Kudos sent.")
    return _thread(request, who, kind, subject, kudos_form=form, status=422)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)
