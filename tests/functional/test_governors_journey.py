"""A governor signs in, opens the governors' view of their school, sees how it compares with the
LA's other primary schools and national figures, and downloads the termly report (PDF)."""

from __future__ import annotations

import datetime as dt
import subprocess
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from attend.registers.models import Mark
from attend.registers.summaries import rebuild_all
from tests.factories import EnrolmentFactory, MarkFactory, SchoolFactory
from tests.integration.access.test_permission_matrix import World

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"
#: Two school weeks of the autumn term 2025/26.
DAYS = [dt.date(2025, 9, 1) + dt.timedelta(days=n) for n in range(12)]
DAYS = [d for d in DAYS if d.weekday() < 5]


def _marks(enrolment, absent: int) -> list[Mark]:
    sessions = [(d, s) for d in DAYS for s in ("AM", "PM")]
    return [
        MarkFactory.build(
            enrolment=enrolment,
            date=day,
            session=session,
            code="O" if i < absent else ("/" if session == "AM" else "\\"),
        )
        for i, (day, session) in enumerate(sessions)
    ]


@pytest.mark.django_db(transaction=True)
def test_governor_compares_the_school_and_downloads_the_termly_report(
    live_server, page: Page, tmp_path
) -> None:
    # The national figures as the data migration seeds them (an earlier browser test's flush
    # empties every table, the migration's rows included).
    import_module("attend.reference.migrations.0002_seed_dfe_figures").seed(apps, None)
    world = World()
    school = world.school
    marks = _marks(world.enrolment, 3)
    # Two other primary schools of the LA, six pupils each, and one of another LA.
    others = [
        SchoolFactory(local_authority=school.local_authority, phase=school.phase) for _ in "ab"
    ]
    for n, other in enumerate(others):
        for i in range(6):
            marks += _marks(EnrolmentFactory(school=other), (i + n) % 4)
    marks += _marks(world.elsewhere, 0)
    Mark.objects.bulk_create(marks)
    rebuild_all()
    user = world.users["governor"]
    device = TOTPDevice.objects.create(user=user, name="Phone", key=TOTP_KEY, confirmed=True)

    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Security code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name=f"Governors’ view of {school.name}").click()
    expect(page.get_by_role("heading", name="Governors’ view", level=1)).to_be_visible()
    page.get_by_label("From").fill("2025-09-01")
    page.get_by_label("To").fill("2025-09-12")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_role("heading", name="How the school compares")).to_be_visible()
    expect(page.locator("#positions")).to_contain_text("of 3 primary schools by attendance")
    table = page.locator("#comparison-table")
    expect(table).to_contain_text("Other primary schools in")
    expect(table.locator("tr[data-measure='overall_absence']")).to_contain_text("5.28%")
    expect(page.locator("#sources")).to_contain_text("attendance-data-dashboard")
    for other in others:
        expect(page.locator("main")).not_to_contain_text(str(other.name))
    expect(page.locator("main")).not_to_contain_text(world.enrolment.pupil.surname)

    with page.expect_download() as info:
        page.get_by_role("link", name="Autumn term 2025/26 (PDF)").click()
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Attendance report for governors" in text
    assert school.name in text
    assert world.enrolment.pupil.surname not in text
    assert "fewer than 5" in text  # one pupil at the school
