"""An office user opens the dashboard, then who needs attention, a pupil's page and back; then
recognition, and downloads the certificates of a class as a PDF."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from attend.organisations.models import CalendarEntry
from attend.registers.domain import academic_year_start
from attend.registers.summaries import rebuild_all
from tests.factories import EnrolmentFactory, MarkFactory
from tests.integration.access.test_permission_matrix import World

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"


def _last_weekdays(count: int) -> list[dt.date]:
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
def test_office_finds_who_needs_attention_and_prints_certificates(
    live_server, page: Page, tmp_path: Path
) -> None:
    world = World()
    today = timezone.localdate()
    start = academic_year_start(today)
    CalendarEntry.objects.create(
        school=world.school,
        kind="term",
        start_date=start,
        end_date=dt.date(start.year + 1, 7, 22),
    )
    star = EnrolmentFactory(school=world.school, registration_group=world.group)
    # 20 sessions: the world's pupil is absent 3 times (85%, persistent absence), the star never.
    for i, (day, session) in enumerate((d, s) for d in _last_weekdays(10) for s in ("AM", "PM")):
        present = "/" if session == "AM" else "\\"
        MarkFactory(
            enrolment=world.enrolment, date=day, session=session, code="O" if i < 3 else present
        )
        MarkFactory(enrolment=star, date=day, session=session, code=present)
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
    page.get_by_role("link", name="Who needs attention").click()

    expect(page.get_by_role("heading", name="Who needs attention", level=1)).to_be_visible()
    expect(page.locator("#no-cases-yet")).to_contain_text("Support cases are not recorded")
    name = world.enrolment.pupil.full_name
    no_case = page.locator("#no-case")
    expect(no_case.locator("tbody tr")).to_have_count(1)
    no_case.get_by_role("link", name=name).click()

    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.locator("#pupil-category")).to_have_text("Persistent absence")
    expect(page.locator("#pupil-possible")).to_have_text("20")
    expect(page.locator("#pupil-trend-chart svg")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Who needs attention", level=1)).to_be_visible()

    page.get_by_role("link", name="Back to the dashboard").click()
    page.get_by_role("link", name=re.compile("^Recognition")).click()
    expect(page.get_by_role("heading", name=re.compile("^Recognition"), level=1)).to_be_visible()
    expect(page.locator("#excellent")).to_contain_text(star.pupil.full_name)
    with page.expect_download() as info:
        page.get_by_role("link", name=f"Certificates for {world.group.name} (PDF)").click()
    download = info.value
    path = tmp_path / "certificates.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(  # noqa: S603
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert star.pupil.full_name in text
    assert "Excellent attendance" in text
    assert name not in text
