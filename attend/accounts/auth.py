"""How people prove who they are: sign-in throttling, the password rules and the second factor."""

from __future__ import annotations

import hashlib
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from attend.accounts.scope import scope_for

#: The role scope.py gives a user with parental responsibility for a pupil.
PARENT = "parent"


def two_factor_required(user: Any) -> bool:
    """Whether a signed-in user must pass the second factor before any page: everyone but a
    parent whose only access is to their own children (no membership, not staff)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return scope_for(user).roles != {PARENT}


class SignInThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in over the web.

    ``authenticate()`` without a request comes from a command, the shell or a test, never from a
    sign-in page; there is no client to throttle, so it goes straight to the password backend
    (axes itself would raise).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the lockout: behind our proxy, the address it appended last to
    X-Forwarded-For (earlier entries come from the client and can be forged)."""
    if getattr(settings, "ATTEND_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` (NCSC: allow long passphrases, but cap them so
    hashing cannot be used to exhaust the server)."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. It must contain at most {self.max_length} characters.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Your password must contain at most {self.max_length} characters."


#: The name of the TOTP device `attend demo` gives each demo login.
DEMO_DEVICE_NAME = "Demo authenticator"


def demo_totp_key(username: str) -> str:
    """The fixed TOTP secret (40 hex digits) of a demo login's device.

    Derived from the username alone, so published: only for the demo logins, whose password is
    published too. `attend demo-code` prints codes only for a device with this key.
    """
    return hashlib.sha256(f"attend-demo-totp:{username}".encode()).hexdigest()[:40]
