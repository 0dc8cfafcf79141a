"""The office follows up an absence in a real browser: the worklist, a phone call logged, the
reason given (illness) and the register amended from N to I."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import ConsoleMessage, Page, expect

from attend.absence.models import ContactAttempt, FollowUpSettings
from attend.notifications.models import Message, MessageTemplate
from attend.pupils.models import Contact
from attend.registers.models import Amendment, Mark
from tests.factories import (
    EnrolmentFactory,
    GroupFactory,
    MarkFactory,
    MembershipFactory,
    PupilFactory,
    SchoolFactory,
    TermFactory,
)

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def last_weekday() -> dt.date:
    day = timezone.localdate()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@pytest.mark.django_db(transaction=True)
def test_office_follows_up_an_absence_and_amends_n_to_i(live_server, page: Page, tmp_path) -> None:
    day = last_weekday()
    # Browser tests run after others have emptied the database: the default template again.
    MessageTemplate.objects.get_or_create(
        key="first-day-absence",
        channel="sms",
        school=None,
        defaults={"body": "((school)): ((pupil)) is not in school today (((date))). ((phone))"},
    )
    school = SchoolFactory(name="Greenfield Primary School")
    FollowUpSettings.objects.create(school=school, office_phone="01632 960001")
    TermFactory(
        school=school, start_date=day - dt.timedelta(days=40), end_date=day + dt.timedelta(days=40)
    )
    group = GroupFactory(school=school, name="4 Oak")
    ben = EnrolmentFactory(
        pupil=PupilFactory(forename="Ben", surname="Shaw"),
        school=school,
        registration_group=group,
        start_date=day - dt.timedelta(days=100),
    )
    mother = Contact.objects.create(
        pupil=ben.pupil,
        surname="Shaw",
        forename="Grace",
        relationship="Mother",
        parental_responsibility=True,
        priority=1,
        phone="07700 900123",
    )
    for session in ("AM", "PM"):
        MarkFactory(enrolment=ben, date=day, session=session, code="N")
    office = MembershipFactory(school=school, role="office", user__username="office").user
    device = TOTPDevice.objects.create(user=office, name="Phone", key=TOTP_KEY, confirmed=True)
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Username").fill("office")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Security code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()

    # The worklist, from the home page (the most recent school day's when today is a weekend).
    page.get_by_role(
        "link", name="Pupils absent with no reason at Greenfield Primary School"
    ).click()
    if day != timezone.localdate():
        page.goto(page.url + f"?date={day.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Absence follow-up")
    row = page.locator("#worklist tbody tr", has_text="Ben Shaw")
    expect(row).to_contain_text("AM, PM")
    expect(row.get_by_role("link", name="07700 900123")).to_have_attribute(
        "href", "tel:07700900123"
    )
    with override_settings(ATTEND_OUTBOX_DIR=tmp_path / "outbox"):
        page.get_by_role("button", name="Send first-day messages").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "1 first-day message sent"
        )
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "follow-up-worklist.png"), full_page=True)

    # Ben's follow-up: a phone call to his mother, who has not answered yet.
    page.get_by_role("link", name="Ben Shaw").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ben Shaw: absence on")
    form = page.locator("#attempt-form")
    form.get_by_label("Who").select_option(str(mother.pk))
    form.get_by_label("How").select_option("phone")
    form.get_by_label("Outcome").select_option("message_left")
    form.get_by_label("Note (optional)").fill("Voicemail")
    form.get_by_role("button", name="Record attempt").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Contact attempt recorded"
    )
    expect(page.locator("#log")).to_contain_text("Message left")

    # She calls back: Ben is ill. The reason turns both N marks into I by amendment.
    form = page.locator("#reason-form")
    form.get_by_label("Code for the reason given").select_option("I")
    form.get_by_label("Who").select_option(str(mother.pk))
    form.get_by_label("How").select_option("phone")
    form.get_by_label("The reason, as given (optional)").fill("Temperature")
    form.get_by_role("button", name="Record reason and amend").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "2 marks amended to I"
    )
    expect(page.locator("#marks")).to_contain_text("AM: I")
    expect(page.locator("#marks")).to_contain_text("N → I")
    page.screenshot(path=str(RESULTS / "follow-up-pupil.png"), full_page=True)

    # The register shows the amendment, with the original entry kept.
    page.get_by_role("link", name="Ben Shaw's register").click()
    expect(page.locator("#amendment-1")).to_contain_text("now I")
    expect(page.locator("#amendment-1")).to_contain_text("Reason given by Grace Shaw")

    assert set(Mark.objects.filter(enrolment=ben).values_list("code", flat=True)) == {"I"}
    assert Amendment.objects.filter(mark__enrolment=ben, old_code="N", new_code="I").count() == 2
    assert list(ContactAttempt.objects.order_by("pk").values_list("purpose", "outcome")) == [
        ("first_day", "message_left"),
        ("follow_up", "message_left"),
        ("follow_up", "reason_given"),
    ]
    assert Message.objects.get().to == "07700 900123"
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
