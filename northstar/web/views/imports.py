"""Importing OKR files through the web: upload, preview (a dry run), confirm.

The same importer as `northstar import` runs twice: first as a dry run whose report is
shown, then for real once the admin confirms. Each run is all or nothing. Between the two,
the file waits in DATA_DIR/uploads/<random token>/, known only to the session that sent
it, and is deleted after the import (or a day later, if nobody confirms).
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_http_methods, require_POST

from northstar.interchange.document import ImportProblem
from northstar.interchange.importer import ImportOptions, import_files
from northstar.okrs.access import Standing, can_manage_organisation, standing
from northstar.web.htmx import HtmxHttpRequest, login_required
from northstar.web.uploads import ALLOWED_SUFFIXES, content_problem

SESSION_KEY = "pending_import"
STALE_SECONDS = 24 * 3600
TEMPLATE = "web/imports/upload.html"


class ImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="One .csv, .xlsx, .md, .yaml, .yml or .json file.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_SUFFIXES))}),
    )
    cycle = forms.CharField(
        required=False, max_length=100, help_text="For objectives whose file names no cycle."
    )
    year = forms.IntegerField(
        required=False,
        min_value=1900,
        max_value=2999,
        help_text="For quarters written without a year ('Q4').",
    )


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def _admin(request: HtmxHttpRequest) -> Standing:
    viewer = standing(request.user)
    if not can_manage_organisation(viewer):
        raise PermissionDenied("Only admins import.")
    return viewer


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: HtmxHttpRequest) -> HttpResponse:
    viewer = _admin(request)
    if request.method == "GET":
        return render(request, TEMPLATE, {"form": ImportForm(), "limit": _limit()})
    form = ImportForm(request.POST, request.FILES)
    valid = form.is_valid()
    if getattr(request, "upload_too_large", False):
        form.add_error(None, f"The file is larger than {_limit()}.")
        return _refused(request, form)
    if not valid:
        return _refused(request, form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    # Checked again here: the upload handler may be left out of FILE_UPLOAD_HANDLERS.
    if len(content) > settings.MAX_UPLOAD_BYTES:
        form.add_error("file", f"The file is larger than {_limit()}.")
        return _refused(request, form)
    name = _safe_name(upload.name)
    if problem := content_problem(name, content):
        form.add_error("file", problem)
        return _refused(request, form)
    token = _store(name, content)
    pending = {"token": token, "name": name, **_options(form)}
    try:
        report = import_files([_path(pending)], _import_options(pending, viewer, dry_run=True))
    except ImportProblem as problem:
        _discard(token)
        form.add_error(None, f"{problem} Nothing was imported.")
        return _refused(request, form)
    request.session[SESSION_KEY] = pending
    context = {"form": None, "report": report, "pending": pending, "limit": _limit()}
    return render(request, TEMPLATE, context)


@require_POST
@login_required
def confirm(request: HtmxHttpRequest) -> HttpResponse:
    viewer = _admin(request)
    pending = request.session.pop(SESSION_KEY, None)
    if pending is None or not secrets.compare_digest(
        request.POST.get("token", ""), pending["token"]
    ):
        return _refused(request, problem="That preview has expired; upload the file again.")
    try:
        report = import_files([_path(pending)], _import_options(pending, viewer, dry_run=False))
    except ImportProblem as problem:
        # The database changed since the preview; the transaction wrote nothing.
        return _refused(request, problem=f"{problem} Nothing was imported.")
    finally:
        _discard(pending["token"])
    messages.success(request, report.summary() + ".")
    for warning in report.warnings:
        messages.warning(request, warning)
    response = redirect("import")
    response.status_code = 303  # See Other: a reload must not import again
    return response


def _refused(
    request: HtmxHttpRequest, form: ImportForm | None = None, problem: str = ""
) -> HttpResponse:
    # 422 so that htmx swaps the page with the errors in place (see base.html).
    context = {"form": form or ImportForm(), "problem": problem, "limit": _limit()}
    return render(request, TEMPLATE, context, status=422)


def _limit() -> str:
    return f"{settings.MAX_UPLOAD_BYTES / (1024 * 1024):g} MB"


def _safe_name(name: str) -> str:
    """The file's own name (errors quote it), stripped of paths and odd characters."""
    suffix = Path(name).suffix.lower()
    try:
        return get_valid_filename(Path(name).name)
    except SuspiciousFileOperation:
        return f"upload{suffix}"


def _options(form: ImportForm) -> dict:
    return {"cycle": form.cleaned_data["cycle"] or None, "year": form.cleaned_data["year"]}


def _import_options(pending: dict, viewer: Standing, *, dry_run: bool) -> ImportOptions:
    person = viewer.person
    return ImportOptions(
        cycle=pending["cycle"],
        year=pending["year"],
        acting_as=person.email if person and person.email else None,
        dry_run=dry_run,
    )


def _store(name: str, content: bytes) -> str:
    _forget_stale()
    token = secrets.token_hex(16)
    folder = upload_dir() / token
    folder.mkdir(parents=True, mode=0o700)
    (folder / name).write_bytes(content)
    return token


def _path(pending: dict) -> Path:
    return upload_dir() / pending["token"] / pending["name"]


def _discard(token: str) -> None:
    shutil.rmtree(upload_dir() / token, ignore_errors=True)


def _forget_stale() -> None:
    """Uploads nobody confirmed within a day."""
    if not upload_dir().exists():
        return
    cutoff = time.time() - STALE_SECONDS
    for folder in upload_dir().iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
