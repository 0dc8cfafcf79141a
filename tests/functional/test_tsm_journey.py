"""An LA attendance officer opens the targeted support meetings of the term, opens a school's pack
(with its severely absent pupil), records the meeting with an agreed action, and finds that
action carried into the next term's pack."""

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
from attend.tsm.domain import current_term, following, year_label
from attend.tsm.services import schedule_year, school_officers_set
from tests.factories import MarkFactory
from tests.integration.access.test_permission_matrix import World

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"


@pytest.mark.django_db(transaction=True)
def test_la_officer_records_a_meeting_and_the_next_pack_carries_its_action(
    live_server, page: Page
) -> None:
    today = timezone.localdate()
    world = World()
    # The pupil is absent every session of the year so far: severely absent.
    first = academic_year_start(today)
    days = [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]
    for day in [d for d in days if d.weekday() < 5][-10:]:
        for session in ("AM", "PM"):
            MarkFactory(enrolment=world.enrolment, date=day, session=session, code="O")
    rebuild_all()
    officer, admin = world.users["la_officer"], world.users["la_admin"]
    school = world.school
    school_officers_set(actor=admin, officers={school.pk: officer.pk})
    year, term = current_term(today)
    schedule_year(local_authority=school.local_authority, year=year, actor=admin)
    label = f"{term.label} term {year_label(year)}"
    device = TOTPDevice.objects.create(user=officer, name="Phone", key=TOTP_KEY, confirmed=True)

    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Security code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Targeted support meetings this term").click()
    expect(page.get_by_role("heading", name="Targeted support meetings", level=1)).to_be_visible()
    row = page.locator("#meetings tbody tr", has_text=school.name)
    expect(row).to_contain_text(officer.display_name)
    row.get_by_role("link", name=f"Pack for {school.name}, {label}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Targeted support meeting pack: {label}"
    )
    expect(page.locator("#severe-pupils")).to_contain_text(world.enrolment.pupil.full_name)
    expect(page.locator("#severe-pupils")).to_contain_text(world.enrolment.pupil.upn)

    page.get_by_role("link", name="The school’s meetings").click()
    page.get_by_role("link", name=f"Record the {label} meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Record the {label} meeting")
    page.get_by_label("Date held").fill(today.isoformat())
    page.get_by_label("Attendees").fill("Headteacher\nLA attendance officer")
    page.get_by_label("Discussion").fill("Agreed a joint approach for the severely absent pupil.")
    action = page.locator("#action-0")
    action.get_by_label("What was agreed").fill("Home visit with the school nurse")
    action.get_by_label("Owner").fill("Head of Year 9")
    due = today + dt.timedelta(days=30)
    action.get_by_label("Due by").fill(due.isoformat())
    page.get_by_role("button", name="Save the meeting record").click()

    expect(page.get_by_text(f"{label}: meeting record saved")).to_be_visible()
    card = page.locator(f"#meeting-{year}-{term.value}")
    expect(card).to_contain_text("Home visit with the school nurse")
    expect(card).to_contain_text("Held")

    next_year, next_term = following(year, term)
    page.goto(live_server.url + reverse("tsm_pack", args=[school.pk, next_year, next_term.value]))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"{next_term.label} term {year_label(next_year)}"
    )
    expect(page.locator("#previous-discussion")).to_contain_text("Agreed a joint approach")
    carried = page.locator("#previous-actions")
    expect(carried).to_contain_text("Home visit with the school nurse")
    expect(carried).to_contain_text("Head of Year 9")
    expect(carried.locator("tbody tr").first).to_contain_text(re.compile(r"\bOpen\b"))
