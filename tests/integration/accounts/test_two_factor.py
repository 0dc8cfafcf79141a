"""Two-factor authentication: every page waits for it; setting up an app; entering its code."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from attend.accounts.auth import two_factor_required
from attend.pupils.models import Contact
from tests.factories import MembershipFactory, PupilFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex

#: Pages of every kind, existing or not: all wait for the second factor.
PAGES = [
    "/",
    "/registers/1/2025-09-01/AM/",
    "/pupils/1/register/",
    "/schools/1/registers-not-taken/",
    "/admin/",
    "/no-such-page/",
]


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


@pytest.fixture
def user():
    return MembershipFactory(role="teacher").user


@pytest.fixture
def with_device(user):
    return TOTPDevice.objects.create(user=user, name="Phone", key=KEY, confirmed=True)


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_without_a_device_every_page_goes_to_setup(unverified_client, user, path):
    unverified_client.force_login(user)
    response = unverified_client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup") + "?next=")


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_with_a_device_every_page_asks_for_the_code(
    unverified_client, user, with_device, path
):
    unverified_client.force_login(user)
    response = unverified_client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify") + "?next=")


def test_static_files_sign_out_and_the_two_factor_pages_stay_open(unverified_client, user):
    unverified_client.force_login(user)
    assert unverified_client.get("/static/core/init.js").status_code == 200
    assert unverified_client.get(reverse("two_factor_setup")).status_code == 200
    assert unverified_client.get(reverse("two_factor_verify")).status_code == 302  # to setup
    assert unverified_client.post(reverse("logout"))["Location"] == reverse("login")


def test_anonymous_two_factor_pages_go_to_sign_in(unverified_client):
    for name in ("two_factor_setup", "two_factor_verify"):
        response = unverified_client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_setup_page_shows_the_secret_as_text_and_qr_code(unverified_client, user):
    unverified_client.force_login(user)
    response = unverified_client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    html = response.content.decode()
    assert "Set up two-factor authentication" in html
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    # Reloading keeps the same secret (the app may already hold it).
    unverified_client.get(reverse("two_factor_setup"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_setup_with_a_wrong_code_is_refused(unverified_client, user):
    unverified_client.force_login(user)
    unverified_client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    response = unverified_client.post(reverse("two_factor_setup"), {"code": wrong(device)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "The code is not correct" in html
    assert 'href="#id_code"' in html and "govuk-input--error" in html
    device.refresh_from_db()
    assert not device.confirmed
    assert unverified_client.get("/").status_code == 302


@pytest.mark.parametrize("bad", ["", "12345", "abcdef", "1234567"])
def test_setup_refuses_a_code_of_the_wrong_shape(unverified_client, user, bad):
    unverified_client.force_login(user)
    response = unverified_client.post(reverse("two_factor_setup"), {"code": bad})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_setup_with_the_right_code_verifies_the_session(unverified_client, user):
    unverified_client.force_login(user)
    unverified_client.get(reverse("two_factor_setup") + "?next=/")
    device = TOTPDevice.objects.get(user=user)
    response = unverified_client.post(
        reverse("two_factor_setup"), {"code": code(device), "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert unverified_client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert unverified_client.get("/").status_code == 200
    # Set up once: the setup page now sends to the code page, which sends onward.
    assert unverified_client.get(reverse("two_factor_setup"))["Location"] == reverse(
        "two_factor_verify"
    )


def test_next_must_be_on_this_site(unverified_client, user, with_device):
    unverified_client.force_login(user)
    response = unverified_client.post(
        reverse("two_factor_verify"), {"code": code(with_device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_sign_in_with_a_device_asks_for_the_code(unverified_client, user, with_device):
    response = unverified_client.post(
        reverse("login") + "?next=/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = unverified_client.get(response["Location"])
    assert response["Location"] == reverse("two_factor_verify") + "?next=%2F"
    page = unverified_client.get(response["Location"])
    html = page.content.decode()
    assert "Enter your security code" in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    session_before = unverified_client.session.session_key

    response = unverified_client.post(
        reverse("two_factor_verify"), {"code": code(with_device), "next": "/"}
    )
    assert response["Location"] == "/"
    assert unverified_client.session.session_key != session_before  # a new session id
    assert unverified_client.get("/").status_code == 200


def test_a_wrong_code_then_throttled_even_if_right(unverified_client, user, with_device):
    unverified_client.force_login(user)
    response = unverified_client.post(reverse("two_factor_verify"), {"code": wrong(with_device)})
    assert "The code is not correct" in response.content.decode()
    # Straight after a failure the device refuses even the right code for a while.
    response = unverified_client.post(reverse("two_factor_verify"), {"code": code(with_device)})
    assert response.status_code == 200
    assert "Too many wrong codes. Wait 1 second, then try again" in response.content.decode()
    with_device.refresh_from_db()
    assert with_device.throttling_failure_count == 1
    assert unverified_client.get("/").status_code == 302


def test_a_code_works_once(unverified_client, user, with_device):
    unverified_client.force_login(user)
    used = code(with_device)
    unverified_client.post(reverse("two_factor_verify"), {"code": used})
    other = type(unverified_client)()
    other.force_login(user)
    response = other.post(reverse("two_factor_verify"), {"code": used})
    assert response.status_code == 200
    assert other.get("/").status_code == 302


def test_another_users_device_does_not_verify(unverified_client, user, with_device):
    stranger = UserFactory()
    unverified_client.force_login(stranger)
    session = unverified_client.session
    session[DEVICE_ID_SESSION_KEY] = with_device.persistent_id
    session.save()
    assert unverified_client.get("/").status_code == 302


def test_sign_out_clears_the_session(client, user):
    client.force_login(user)
    assert client.get("/").status_code == 200
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    session = client.session
    assert "_auth_user_id" not in session
    assert DEVICE_ID_SESSION_KEY not in session
    assert client.get("/")["Location"].startswith(reverse("login"))


def parent_of(user) -> None:
    Contact.objects.create(
        pupil=PupilFactory(),
        surname="Shaw",
        forename="Jo",
        relationship="Mother",
        parental_responsibility=True,
        user=user,
    )


def test_only_a_parent_and_nothing_else_needs_no_second_factor(unverified_client):
    assert two_factor_required(UserFactory())  # no role yet: the safe default
    assert two_factor_required(MembershipFactory(role="teacher").user)

    parent = UserFactory()
    parent_of(parent)
    assert not two_factor_required(parent)
    unverified_client.force_login(parent)
    assert unverified_client.get("/").status_code == 200

    parent_and_teacher = MembershipFactory(role="teacher").user
    parent_of(parent_and_teacher)
    assert two_factor_required(parent_and_teacher)
    staff_parent = UserFactory(is_staff=True)
    parent_of(staff_parent)
    assert two_factor_required(staff_parent)


def test_repeated_wrong_codes_say_how_long_to_wait(unverified_client, user, with_device):
    from django.utils import timezone

    with_device.throttling_failure_count = 3
    with_device.throttling_failure_timestamp = timezone.now() - dt.timedelta(seconds=10)
    with_device.save()
    unverified_client.force_login(user)
    response = unverified_client.post(reverse("two_factor_verify"), {"code": wrong(with_device)})
    html = response.content.decode()
    assert "The code is not correct" in html and "Wait 8 seconds, then try again" in html
