"""A teacher takes the morning register in a real browser, using the keyboard for the exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import ConsoleMessage, Page, expect

from attend.registers.models import Mark, Register, WeekSummary
from tests.factories import (
    EnrolmentFactory,
    GroupFactory,
    MembershipFactory,
    PupilFactory,
    SchoolFactory,
    TermFactory,
)

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"  # the teacher's authenticator app, hex
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def last_weekday() -> dt.date:
    day = timezone.localdate()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@pytest.mark.django_db(transaction=True)
def test_teacher_takes_the_morning_register(live_server, page: Page) -> None:
    day = last_weekday()
    school = SchoolFactory(name="Greenfield Primary School")
    TermFactory(
        school=school, start_date=day - dt.timedelta(days=40), end_date=day + dt.timedelta(days=40)
    )
    group = GroupFactory(school=school, name="4 Oak")
    names = [("Amara", "Okafor"), ("Ben", "Shaw"), ("Chloe", "Taylor")]
    pupils = [
        EnrolmentFactory(
            pupil=PupilFactory(forename=forename, surname=surname),
            school=school,
            registration_group=group,
            start_date=day - dt.timedelta(days=100),
        )
        for forename, surname in names
    ]
    teacher = MembershipFactory(
        school=school, role="teacher", groups=[group], user__username="teacher"
    ).user
    device = TOTPDevice.objects.create(user=teacher, name="Phone", key=TOTP_KEY, confirmed=True)
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    page.goto(live_server.url + reverse("home"))
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The second factor: the code the teacher's authenticator app shows now.
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Security code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()

    register_url = reverse("register", args=[group.pk, day, "AM"])
    expect(page.get_by_role("heading", name="Registers", exact=True)).to_be_visible()
    if day == timezone.localdate():
        page.locator(f'a[href="{register_url}"]').click()
    else:  # a weekend: the most recent school day's register
        page.goto(live_server.url + register_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("4 Oak: morning register")

    page.get_by_role("button", name="Mark all present").click()
    for forename, surname in names:
        expect(page.get_by_label(f"Mark for {forename} {surname}")).to_have_value("/")

    # Ben is absent: focus his mark and type N, as a keyboard user would.
    ben = page.get_by_label("Mark for Ben Shaw")
    ben.focus()
    page.keyboard.type("N")
    expect(ben).to_have_value("N")

    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "register-page.png"), full_page=True)

    page.get_by_role("button", name="Save register").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "4 Oak morning register saved"
    )
    expect(page.get_by_text("This register has been taken")).to_be_visible()
    page.screenshot(path=str(RESULTS / "register-taken.png"), full_page=True)

    marks = {m.enrolment_id: m.code for m in Mark.objects.filter(date=day, session="AM")}
    assert marks == {pupils[0].pk: "/", pupils[1].pk: "N", pupils[2].pk: "/"}
    assert Register.objects.filter(group=group, date=day, session="AM").exists()
    assert WeekSummary.objects.filter(enrolment__in=pupils).count() == 3

    # GOV.UK Frontend started under the Content-Security-Policy, with nothing refused.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
