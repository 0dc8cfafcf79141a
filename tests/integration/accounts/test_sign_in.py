"""Signing in: the lockout after failed passwords (django-axes), the password rules, sessions."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def user():
    return MembershipFactory(role="teacher", user__username="priya").user


def sign_in(client: Client, password: str, username: str = "priya"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failed_sign_ins_lock_out_the_username_from_that_address(unverified_client, user):
    for _ in range(4):
        response = sign_in(unverified_client, "wrong password")
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    fifth = sign_in(unverified_client, "wrong password")
    assert fifth.status_code == 429
    html = fifth.content.decode()
    assert "You cannot sign in at the moment" in html
    assert "15 minutes" in html
    assert "govuk-heading-l" in html

    # The sixth attempt, with the right password, is refused too.
    sixth = sign_in(unverified_client, PASSWORD)
    assert sixth.status_code == 429
    assert "_auth_user_id" not in unverified_client.session
    assert AccessAttempt.objects.get(username="priya").failures_since_start >= 5

    # Another address, or another username from this address, is not locked out.
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert sign_in(elsewhere, PASSWORD).status_code == 302
    assert sign_in(unverified_client, "wrong", username="someone-else").status_code == 200


def test_a_successful_sign_in_clears_the_failures(unverified_client, user):
    for _ in range(4):
        sign_in(unverified_client, "wrong password")
    assert sign_in(unverified_client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="priya", failures_since_start__gt=0).exists()


def test_lockout_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_authenticate_without_a_request_is_not_a_sign_in(user):
    """Commands and the shell have no client to throttle; the password is still checked."""
    assert authenticate(username="priya", password=PASSWORD) == user
    assert authenticate(username="priya", password="wrong") is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "too common"),
        ("Xq7#mP2!vL", "too short"),  # 10 characters
        ("a" * 129, "too long"),
        ("priyashah2026", "too similar"),
    ],
)
def test_password_rules_refuse(password, message, user):
    user.first_name, user.last_name, user.username = "Priya", "Shah", "priyashah2026"
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(message in m for m in refused.value.messages), refused.value.messages


@pytest.mark.parametrize(
    "password",
    ["plum tuesday orbit lantern", "lowercaseonlylongphrase", "x" * 4 + "q9" * 62],
)
def test_password_rules_ask_for_length_not_composition(password, user):
    validate_password(password, user)


def test_session_settings():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_HTTPONLY


def test_the_session_cookie_ends_with_the_browser(unverified_client, user):
    response = sign_in(unverified_client, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]
    assert cookie["samesite"] == "Lax" and cookie["httponly"]
    assert 0 < unverified_client.session.get_expiry_age() <= 8 * 60 * 60
