"""The demo's meetings and LA logins, and naming an officer in the Django admin."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from attend.accounts.models import User
from attend.organisations.models import School
from attend.tsm.domain import Status, Term
from attend.tsm.models import AgreedAction, TargetedSupportMeeting
from attend.tsm.selectors import tsm_list_for, tsm_pack_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNTIL = dt.date(2026, 11, 20)


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_names_officers_schedules_and_holds_a_meeting(fast_passwords):
    call_command("demo", schools=3, pupils=30, seed=1, until=UNTIL, stdout=io.StringIO())
    officer = User.objects.get(username="laofficer")
    assert not School.objects.filter(la_attendance_officer__isnull=True).exists()
    assert TargetedSupportMeeting.objects.filter(year=2026).count() == 9
    held = TargetedSupportMeeting.objects.get(held_on__isnull=False)
    assert held.term == "autumn" and held.la_officer == officer
    assert held.school.memberships.filter(role="senior").exists()  # the demo head's school
    assert held.school.la_attendance_officer == officer
    actions = AgreedAction.objects.filter(meeting=held)
    assert sorted(a.done_on is not None for a in actions) == [False, True]

    today = UNTIL + dt.timedelta(days=1)
    pack = tsm_pack_for(
        officer, held.school_id, 2026, Term.SPRING, today=today, now=dt.datetime.now()
    )
    assert pack.previous == held
    assert len(pack.previous_actions) == 2
    mine = tsm_list_for(officer, 2026, Term.AUTUMN, mine=True, today=today)
    assert held.school in [r.school for r in mine.rows]
    assert Status.HELD in {r.status for r in mine.rows}

    out = io.StringIO()
    call_command("demo-logins", stdout=out)
    assert "laofficer" in out.getvalue()


def test_the_admin_names_only_an_la_officer_of_the_schools_la(client, tsm):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    school = tsm.a
    url = reverse("admin:organisations_school_change", args=[school.pk])
    form = {
        "urn": school.urn,
        "name": school.name,
        "local_authority": school.local_authority_id,
        "phase": school.phase,
        "am_register_opens": "08:45:00",
        "pm_register_opens": "13:15:00",
        "register_open_minutes": 30,
        "calendar_entries-TOTAL_FORMS": 0,
        "calendar_entries-INITIAL_FORMS": 0,
        "calendar_entries-MIN_NUM_FORMS": 0,
        "calendar_entries-MAX_NUM_FORMS": 1000,
    }
    response = client.post(url, {**form, "la_attendance_officer": tsm.officer_elsewhere.pk})
    assert response.status_code == 200
    assert "is not an LA attendance officer" in response.content.decode()
    school.refresh_from_db()
    assert school.la_attendance_officer is None
    response = client.post(url, {**form, "la_attendance_officer": tsm.officer.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    school.refresh_from_db()
    assert school.la_attendance_officer == tsm.officer
