"""Middleware of the accounts app: the second factor before any page, and the security headers."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import user_has_device

from attend.accounts.auth import two_factor_required

# The pages a signed-in user may reach before the second factor (besides static files).
OPEN_BEFORE_TWO_FACTOR = ("login", "logout", "two_factor_setup", "two_factor_verify")


class TwoFactorRequiredMiddleware:
    """A signed-in user who has not passed the second factor this session is sent to it.

    With no confirmed device yet, that is "Set up two-factor authentication"; otherwise "Enter
    the code". Goes after django_otp's OTPMiddleware, which sets ``request.user.is_verified()``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not self._open(request.path)
            and two_factor_required(user)
        ):
            name = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
            url = reverse(name)
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(url)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        if settings.STATIC_URL and path.startswith(settings.STATIC_URL):
            return True
        return path in {reverse(name) for name in OPEN_BEFORE_TWO_FACTOR}


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not set: Content-Security-Policy and
    Permissions-Policy (settings.CONTENT_SECURITY_POLICY and settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": settings.CONTENT_SECURITY_POLICY,
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for header, value in self.headers.items():
            if value:
                response.headers.setdefault(header, value)
        if settings.DEBUG and response.status_code in (404, 500):
            # Django's technical 404 and 500 pages (development only) are inline styles and scripts.
            del response.headers["Content-Security-Policy"]
        return response
