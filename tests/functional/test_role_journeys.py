"""Every role signs in through the real pages (two-factor where required), sees its own home page,
and is refused another local authority's pupil."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.integration.access.test_permission_matrix import World

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"

#: Each role and what its home page shows.
HOMES = {
    "teacher": "Your registration groups",
    "office": "Registers not taken",
    "senior": "Registers not taken",
    "governor": "Your schools",
    "trust_lead": "Your schools",
    "la_officer": "Your schools",
    "la_admin": "Your schools",
    "social_worker": "Children you support",
    "virtual_school_head": "Children you support",
    "parent": "Your children",
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", sorted(HOMES))
def test_role_sees_its_home_and_not_another_schools_pupil(
    live_server, page: Page, role: str
) -> None:
    world = World()
    user = world.users[role]
    device = None
    if role != "parent":  # parents sign in without a second factor
        device = TOTPDevice.objects.create(user=user, name="Phone", key=TOTP_KEY, confirmed=True)

    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.get_by_label("Security code").fill(f"{code:06d}")
        page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text(HOMES[role]).first).to_be_visible()
    if role in {"social_worker", "virtual_school_head", "parent"}:
        expect(page.locator("#children")).to_contain_text(world.enrolment.pupil.full_name)

    other = live_server.url + reverse("pupil_register", args=[world.elsewhere.pk])
    response = page.goto(other)
    assert response is not None and response.status == 404
    expect(page.locator("main")).not_to_contain_text(world.elsewhere.pupil.surname)
