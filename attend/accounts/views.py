"""The second factor after the password: set up an authenticator app, or enter its code.

Every signed-in user passes through here once a session (TwoFactorRequiredMiddleware sends them);
the sign-in and sign-out pages are Django's own views (urls.py), the lockout after too many wrong
passwords is :func:`locked_out` (django-axes calls it).
"""

from __future__ import annotations

import base64
import math
from typing import Any
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from attend.accounts.forms import TwoFactorCodeForm
from attend.core.views import ErrorItem, actor_of

DEVICE_NAME = "Authenticator app"
WRONG_CODE = "The code is not correct: check your authenticator app and enter the code it shows now"


@never_cache
@sensitive_post_parameters("code")
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: show the secret (text and QR code), confirm with a code."""
    user = actor_of(request)
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        return _onward("two_factor_verify", request)
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by(
        "-pk"
    ).first() or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        error = _check(device, form.cleaned_data["code"])
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return _verified(request, device)
        form.add_error("code", error)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            **_form_context(form, request),
            "secret": _grouped(base64.b32encode(device.bin_key).decode()),
            "otpauth_uri": device.config_url,
            "qr_code": _qr_data_uri(device.config_url),
        },
    )


@never_cache
@sensitive_post_parameters("code")
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Enter the code from the authenticator app set up before."""
    user = actor_of(request)
    if getattr(user, "is_verified", lambda: False)():
        return _redirect_next(request)
    devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk"))
    if not devices:
        return _onward("two_factor_setup", request)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        error = WRONG_CODE
        for device in devices:
            error = _check(device, form.cleaned_data["code"]) or ""
            if not error:
                return _verified(request, device)
        form.add_error("code", error)
    return render(request, "accounts/two_factor_verify.html", _form_context(form, request))


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' response to a sign-in from a username+address that is locked out."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request,
        "accounts/lockout.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


def _check(device: TOTPDevice, code: str) -> str | None:
    """None if the code is right; otherwise the error to show (wrong, or wait: throttled)."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return f"Too many wrong codes. Wait {_wait_seconds(info)}, then try again"
    if device.verify_token(code):
        return None
    allowed, info = device.verify_is_allowed()
    wait = 0 if allowed else _seconds(info)
    return WRONG_CODE if wait <= 1 else f"{WRONG_CODE}. Wait {_wait_seconds(info)}, then try again"


def _seconds(info: dict[str, Any] | None) -> int:
    until = (info or {}).get("locked_until")
    return max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1


def _wait_seconds(info: dict[str, Any] | None) -> str:
    seconds = _seconds(info)
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    request.session.cycle_key()  # a new session id once the user has both factors
    django_otp.login(request, device)
    return _redirect_next(request)


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


def _redirect_next(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(_next_url(request))


def _onward(name: str, request: HttpRequest) -> HttpResponse:
    """The other two-factor page, keeping where the user was going."""
    url = reverse(name)
    next_url = request.GET.get("next")
    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


def _form_context(form: TwoFactorCodeForm, request: HttpRequest) -> dict[str, Any]:
    errors = [ErrorItem(href="#id_code", message=str(e)) for e in form.errors.get("code", [])]
    return {"form": form, "errors": errors, "next": _next_url(request)}


def _grouped(secret: str) -> str:
    """The base32 secret in blocks of four, as authenticator apps accept it typed."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code: an SVG image in a data URI (allowed by the CSP's img-src)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
