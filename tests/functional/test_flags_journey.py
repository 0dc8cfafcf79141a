"""An office user opens the flags from the dashboard, creates a flag, flags a pupil by UPN after
a mistyped one is named in the error summary, and ends the flag."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from attend.pupils.models import PupilFlag
from tests.integration.access.test_permission_matrix import World

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"


@pytest.mark.django_db(transaction=True)
def test_office_flags_a_pupil_and_ends_the_flag(live_server, page: Page) -> None:
    world = World()
    user = world.users["office"]
    device = TOTPDevice.objects.create(user=user, name="Phone", key=TOTP_KEY, confirmed=True)
    page.goto(live_server.url + reverse("school_dashboard", args=[world.school.pk]))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Security code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Manage the school’s flags").click()
    expect(page.get_by_role("heading", name="Flags", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Young carers")
    page.get_by_role("button", name="Create flag").click()
    expect(page.get_by_role("heading", name="Young carers", level=1)).to_be_visible()

    upn = world.enrolment.pupil.upn
    page.get_by_label("UPNs").fill(f"{upn}\nA12345678901Z")
    page.get_by_role("button", name="Add pupils").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("A12345678901Z")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("UPNs")).to_be_focused()
    page.get_by_label("UPNs").fill(upn)
    page.get_by_role("button", name="Add pupils").click()
    expect(page.get_by_text("The pupils were flagged.")).to_be_visible()
    row = page.locator(f'#pupil-flags tr[data-upn="{upn}"]')
    expect(row).to_contain_text(world.enrolment.pupil.full_name)

    row.get_by_role("link", name=f"End the flag of {world.enrolment.pupil.full_name}").click()
    page.get_by_label("Last day of the flag").fill("2099-01-01")
    page.get_by_role("button", name="End the flag").click()
    expect(page.get_by_text("The pupil’s flag was ended.")).to_be_visible()
    assert PupilFlag.objects.get().end_date is not None
