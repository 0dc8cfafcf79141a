"""Security headers on every response, and the production settings pass Django's deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'self'"
)


def assert_security_headers(response) -> None:
    assert response["Content-Security-Policy"] == CSP
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_headers_on_a_page(client):
    client.force_login(MembershipFactory(role="teacher").user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/sign-in/", "/static/core/init.js", "/no-such-page/"])
def test_headers_on_every_response(unverified_client, path):
    assert_security_headers(unverified_client.get(path))


def test_pages_have_no_inline_script(client):
    client.force_login(MembershipFactory(role="teacher").user)
    for path in [reverse("login"), reverse("home")]:
        html = client.get(path).content.decode()
        assert "<script>" not in html and '<script type="module">' not in html
        assert "core/init.js" in html


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ATTEND_", "DJANGO_"))
    }
    env.update(
        ATTEND_PRODUCTION="1",
        ATTEND_SECRET_KEY=secrets.token_urlsafe(50),
        ATTEND_ALLOWED_HOSTS="attend.example.org",
        ATTEND_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "config.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "?:" not in output, output


def test_development_error_pages_keep_their_inline_styles(unverified_client, settings):
    settings.DEBUG = True
    response = unverified_client.get("/static/no-such-file.css")
    assert response.status_code == 404
    assert "Content-Security-Policy" not in response
    settings.DEBUG = False
    assert "Content-Security-Policy" in unverified_client.get("/static/no-such-file.css")
