"""The follow-up pages through the client: the worklist, sending, the pupil page's forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from attend.absence.models import ContactAttempt
from attend.audit.models import AuditEvent
from attend.notifications.models import Message
from attend.registers.models import Mark
from tests.factories import MembershipFactory, SchoolFactory
from tests.integration.absence.conftest import DAY

pytestmark = pytest.mark.django_db


def test_worklist_page_lists_pupils_and_sends_first_day_messages(client, fw) -> None:
    enrolment = fw.pupil("Okafor", "Amara", flags={"looked_after": "Y"})
    fw.n(enrolment)
    client.force_login(fw.office)
    url = reverse("follow_up", args=[fw.school.pk]) + f"?date={DAY.isoformat()}"
    page = client.get(url).content.decode()
    assert "Amara Okafor" in page and "Looked after" in page
    assert 'href="tel:07700900001"' in page
    assert reverse("follow_up_pupil", args=[enrolment.pk, DAY]) in page
    response = client.post(url, follow=True)
    assert "1 first-day message sent" in response.content.decode()
    assert Message.objects.count() == 1
    client.post(url)
    assert Message.objects.count() == 1


def test_worklist_is_a_404_for_another_schools_office(client, fw) -> None:
    client.force_login(MembershipFactory(school=SchoolFactory(), role="office").user)
    assert client.get(reverse("follow_up", args=[fw.school.pk])).status_code == 404
    assert client.post(reverse("follow_up", args=[fw.school.pk])).status_code == 404
    assert not AuditEvent.objects.exists()


def test_bad_date_is_an_error_not_a_crash(client, fw) -> None:
    client.force_login(fw.office)
    response = client.get(reverse("follow_up", args=[fw.school.pk]) + "?date=31-02-2025")
    assert "Enter a date in the form YYYY-MM-DD" in response.content.decode()


def test_pupil_page_records_an_attempt_then_the_reason(client, fw) -> None:
    enrolment = fw.pupil("Shaw", "Ben")
    fw.n(enrolment)
    client.force_login(fw.office)
    url = reverse("follow_up_pupil", args=[enrolment.pk, DAY])
    missing = client.post(url, {"action": "attempt", "attempt-contact": "other"})
    assert missing.status_code == 400
    assert "Enter the name of the person contacted" in missing.content.decode()
    contact = enrolment.pupil.contacts.get()
    response = client.post(
        url,
        {
            "action": "attempt",
            "attempt-contact": str(contact.pk),
            "attempt-method": "phone",
            "attempt-outcome": "no_answer",
        },
    )
    assert response.status_code == 302
    wrong = client.post(
        url,
        {
            "action": "reason",
            "reason-code": "/",
            "reason-contact": str(contact.pk),
            "reason-method": "phone",
        },
    )
    assert wrong.status_code == 400
    response = client.post(
        url,
        {
            "action": "reason",
            "reason-code": "I",
            "reason-contact": str(contact.pk),
            "reason-method": "phone",
            "reason-note": "Temperature",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "2 marks amended to I" in page
    assert set(Mark.objects.filter(enrolment=enrolment).values_list("code", flat=True)) == {"I"}
    assert [a.outcome for a in ContactAttempt.objects.order_by("pk")] == [
        "no_answer",
        "reason_given",
    ]
    overdue = client.post(url, {"action": "overdue"})
    assert overdue.status_code == 400  # not overdue (and no N left)


def test_settings_page_saves_and_refuses_days_out_of_order(client, fw) -> None:
    client.force_login(fw.office)
    url = reverse("follow_up_settings", args=[fw.school.pk])
    data = {
        "first_day_channel": "email",
        "office_phone": "01632 960555",
        "emergency_contacts_day": "3",
        "home_visit_day": "2",
        "la_referral_day": "10",
        "illness_spells": "4",
    }
    assert client.post(url, data).status_code == 400
    assert client.post(url, {**data, "home_visit_day": "4"}).status_code == 302
    fw.settings.refresh_from_db()
    assert (fw.settings.first_day_channel, fw.settings.home_visit_day) == ("email", 4)
    assert fw.settings.illness_spells == 4


def test_worklist_tables_export_to_csv_and_excel(client, fw) -> None:
    enrolment = fw.pupil("=Formula", "Eve")
    fw.n(enrolment, sessions=("AM",))
    fw.n(enrolment, day=dt.date(2025, 10, 24), sessions=("PM",))
    client.force_login(fw.office)
    url = reverse("follow_up", args=[fw.school.pk]) + f"?date={DAY.isoformat()}"
    lines = client.get(url + "&format=csv&table=worklist").content.decode().splitlines()
    assert lines[0].startswith("UPN,Surname,Forename,Group,Sessions,Flags")
    assert f"{enrolment.pupil.upn},'=Formula,Eve,3 Ash,AM," in lines[1]
    overdue = client.get(url + "&format=csv&table=overdue").content.decode().splitlines()
    assert overdue[1].endswith(",2025-10-24,PM,2025-11-07")
    xlsx = client.get(url + "&format=xlsx&table=illness")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
