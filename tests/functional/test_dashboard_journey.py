"""An office user signs in, opens the school's dashboard from the home page and follows the
persistent absence count to the pupils behind it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from attend.registers.domain import academic_year_start
from attend.registers.summaries import rebuild_all
from tests.factories import MarkFactory
from tests.integration.access.test_permission_matrix import World

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"


def _school_days_to_date(count: int) -> list[dt.date]:
    """The last `count` weekdays of this academic year up to today."""
    today = timezone.localdate()
    first = academic_year_start(today)
    days = [
        first + dt.timedelta(days=n)
        for n in range((today - first).days + 1)
        if (first + dt.timedelta(days=n)).weekday() < 5
    ]
    return days[-count:]


@pytest.mark.django_db(transaction=True)
def test_office_follows_the_persistent_count_to_its_pupils(live_server, page: Page) -> None:
    days = _school_days_to_date(10)
    if len(days) < 10:
        pytest.skip("fewer than 10 weekdays of this academic year so far")
    world = World()
    # 20 sessions, 3 absent: 85% attendance, the persistent absence category.
    for i, (day, session) in enumerate((d, s) for d in days for s in ("AM", "PM")):
        code = "O" if i < 3 else ("/" if session == "AM" else "\\")
        MarkFactory(enrolment=world.enrolment, date=day, session=session, code=code)
    rebuild_all()
    user = world.users["office"]
    device = TOTPDevice.objects.create(user=user, name="Phone", key=TOTP_KEY, confirmed=True)

    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Security code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name=f"Attendance dashboard for {world.school.name}").click()
    expect(page.get_by_role("heading", name="Attendance dashboard")).to_be_visible()
    expect(page.locator("#persistent-rate")).to_contain_text("(1 pupil)")
    page.get_by_role("link", name=re.compile(r"^1 pupils: persistent absence$")).click()

    expect(page.get_by_role("heading", name="Persistent absence", level=1)).to_be_visible()
    table = page.locator("#pupils")
    expect(table).to_contain_text(world.enrolment.pupil.full_name)
    expect(table.locator("tbody tr")).to_have_count(1)
    table.get_by_role("link", name=world.enrolment.pupil.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.enrolment.pupil.full_name)
