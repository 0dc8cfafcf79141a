"""A senior leader opens the dashboard, jumps to Lateness from the contents list, reads the charts
and follows the pupil most often late to their register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from attend.registers.summaries import rebuild_all
from tests.factories import MarkFactory
from tests.integration.access.test_permission_matrix import World

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"
WEEK = [dt.date(2025, 9, 8) + dt.timedelta(days=n) for n in range(5)]


@pytest.mark.django_db(transaction=True)
def test_senior_reads_lateness_and_opens_the_latest_pupil(live_server, page: Page) -> None:
    world = World()
    # Late on Monday and Tuesday mornings (L then U), absent on Friday afternoon.
    codes = {(WEEK[0], "AM"): "L", (WEEK[1], "AM"): "U", (WEEK[4], "PM"): "O"}
    for day in WEEK:
        for session in ("AM", "PM"):
            code = codes.get((day, session), "/" if session == "AM" else "\\")
            minutes = 12 if code in "LU" else None
            MarkFactory(
                enrolment=world.enrolment,
                date=day,
                session=session,
                code=code,
                minutes_late=minutes,
            )
    rebuild_all()
    user = world.users["senior"]
    device = TOTPDevice.objects.create(user=user, name="Phone", key=TOTP_KEY, confirmed=True)

    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Security code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()

    url = reverse("school_dashboard", args=[world.school.pk])
    page.goto(f"{live_server.url}{url}?from=2025-09-08&to=2025-09-12")
    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="Lateness").click()
    expect(page).to_have_url(f"{live_server.url}{url}?from=2025-09-08&to=2025-09-12#lateness")
    expect(page.locator("#late-total")).to_contain_text("1 session")
    expect(page.locator("#late-total")).to_contain_text("24 minutes recorded")
    expect(page.get_by_role("img", name="Late sessions by week")).to_be_visible()
    expect(page.get_by_role("img", name="Absence by day of the week and session")).to_be_visible()
    expect(page.locator("#days-chart table")).to_contain_text("Friday")
    late = page.locator("#late-pupils")
    expect(late.locator("tbody tr")).to_have_count(1)
    late.get_by_role("link", name=world.enrolment.pupil.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.enrolment.pupil.full_name)
