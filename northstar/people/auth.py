"""Sign-in by email address and password, with throttling, for every login form (ours and
the Django admin's): both call `authenticate()`, which calls this backend."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from northstar.people import actions, throttle

User = get_user_model()


class EmailBackend(ModelBackend):
    """The email address is the username, matched case-insensitively. A username still works
    as a fallback, for accounts made with `createsuperuser` that have no email."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ) -> AbstractBaseUser | None:
        if username is None or password is None:
            return None
        ip = throttle.client_ip(request)
        if throttle.locked_until(username, ip):
            # Stops every other backend too; the sign-in form explains the lock itself.
            raise PermissionDenied("Too many failed sign-ins.")
        user = self._find(username)
        if user is None:
            # Hash anyway, so the response time does not tell which addresses have accounts.
            User().set_password(password)
        elif user.check_password(password) and self.user_can_authenticate(user):
            throttle.record_success(username)
            actions.person_for_user(user)
            return user
        throttle.record_failure(username, ip)
        return None

    def _find(self, login: str) -> AbstractBaseUser | None:
        login = login.strip()
        by_email = list(User._default_manager.filter(email__iexact=login)[:2])
        if len(by_email) == 1:
            return by_email[0]
        return User._default_manager.filter(username__iexact=login).first()
