"""Signing in, resetting a password, and invitations (sending one, and accepting one)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from northstar.people import access, actions
from northstar.people.forms import AcceptInvitationForm, InvitationForm, SignInForm
from northstar.people.models import Invitation, Person
from northstar.web.htmx import HtmxHttpRequest, login_required

BACKEND = "northstar.people.auth.EmailBackend"


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "web/sign_in.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/accounts/password_reset_form.html"
    email_template_name = "web/accounts/password_reset_email.txt"
    subject_template_name = "web/accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-sent")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "web/accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/accounts/password_reset_complete.html"


def _posted(request: HtmxHttpRequest):
    """The form data of a POST, even an empty one (`request.POST or None` would treat an
    empty POST as a GET and skip validation)."""
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@login_required
def invite(request: HtmxHttpRequest) -> HttpResponse:
    """An admin invites anyone anywhere; a lead invites into the units they manage."""
    units = access.managed_units(request.user)
    admin = access.is_admin(request.user)
    if not admin and not units:
        raise PermissionDenied("Only admins and unit leads invite people.")
    initial = {"unit": request.GET.get("unit", "")}
    form = InvitationForm(_posted(request), units=units, admin=admin, initial=initial)
    if request.method == "POST" and form.is_valid():
        return _send_invitation(request, form)
    status = 422 if form.is_bound else 200
    return render(request, "web/accounts/invitation_new.html", {"form": form}, status=status)


def _send_invitation(request: HtmxHttpRequest, form: InvitationForm) -> HttpResponse:
    data = form.cleaned_data
    if not access.can_invite(request.user, data["unit"], data["role"]):
        raise PermissionDenied("You may not invite into that unit with that role.")
    try:
        invitation, token = actions.create_invitation(
            email=data["email"],
            unit=data["unit"],
            role=data["role"],
            invited_by=actions.person_for_user(request.user),
        )
    except ValidationError as error:
        form.add_error("email" if hasattr(error, "error_dict") else None, error.messages)
        return render(request, "web/accounts/invitation_new.html", {"form": form}, status=422)
    link = request.build_absolute_uri(actions.invitation_path(token))
    actions.send_invitation(invitation, link)
    context = {
        "invitation": invitation,
        # Without a mail server nobody receives it, so the inviter passes the link on.
        "link": None if actions.mail_is_delivered() else link,
    }
    return render(request, "web/accounts/invitation_sent.html", context)


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation = actions.find_invitation(token)
    if invitation is None:
        raise Http404("No such invitation.")
    if not invitation.is_open:
        return render(
            request, "web/accounts/invitation_closed.html", {"invitation": invitation}, status=410
        )
    form = AcceptInvitationForm(
        _posted(request), invitation=invitation, initial={"name": _known_name(invitation)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.accept_invitation(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, person.user, backend=BACKEND)
            messages.success(request, f"Welcome to Northstar, {person.name}.")
            return redirect("me")
    context = {"form": form, "invitation": invitation}
    status = 422 if form.is_bound else 200
    return render(request, "web/accounts/invitation_accept.html", context, status=status)


def _known_name(invitation: Invitation) -> str:
    """An imported owner already has a name; offer it."""
    person = Person.objects.filter(email__iexact=invitation.email).first()
    return person.name if person else ""
