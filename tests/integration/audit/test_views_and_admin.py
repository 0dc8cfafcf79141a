"""Views of a pupil's record from outside the school are recorded; the admin can search the log."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from attend.audit.models import AuditEvent
from attend.audit.services import audit_pupil_view, audit_record
from tests.factories import EnrolmentFactory, MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_view_from_outside_the_school_is_recorded():
    enrolment = EnrolmentFactory.create()
    outsider = MembershipFactory.create(
        school=SchoolFactory.create(), role="office"
    ).user  # another school
    assert audit_pupil_view(actor=outsider, enrolment=enrolment) is True
    event = AuditEvent.objects.get()
    assert event.action == "pupil.view"
    assert (event.object_type, event.object_id) == ("enrolment", str(enrolment.pk))
    assert event.actor == outsider and event.actor_name == outsider.display_name
    assert event.school == enrolment.school
    assert event.pupil == enrolment.pupil and event.pupil_upn == enrolment.pupil.upn
    assert event.before is None and event.after is None
    assert enrolment.pupil.surname not in event.summary


def test_a_view_from_inside_the_school_is_not_recorded():
    enrolment = EnrolmentFactory.create()
    teacher = MembershipFactory.create(school=enrolment.school, role="teacher").user
    assert audit_pupil_view(actor=teacher, enrolment=enrolment) is False
    assert not AuditEvent.objects.exists()


def test_the_pupil_register_page_calls_it(client):
    enrolment = EnrolmentFactory.create()
    office = MembershipFactory.create(school=enrolment.school, role="office").user
    client.force_login(office)
    response = client.get(reverse("pupil_register", args=[enrolment.pk]))
    assert response.status_code == 200
    assert not AuditEvent.objects.exists()  # same school: nothing recorded


def test_an_la_officers_view_of_a_pupils_register_is_recorded(client):
    from attend.accounts.models import Membership

    enrolment = EnrolmentFactory.create()
    officer = UserFactory.create(position="LA attendance officer")
    Membership.objects.create(
        user=officer, role="la_officer", local_authority=enrolment.school.local_authority
    )
    client.force_login(officer)
    response = client.get(reverse("pupil_register", args=[enrolment.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.pupil) == ("pupil.view", officer, enrolment.pupil)


def test_the_event_survives_the_actor_being_deleted():
    enrolment = EnrolmentFactory.create()
    outsider = UserFactory.create(position="LA attendance officer")
    audit_pupil_view(actor=outsider, enrolment=enrolment)
    name = outsider.display_name
    outsider.delete()
    event = AuditEvent.objects.get()
    assert event.actor is None
    assert (event.actor_name, event.actor_position) == (name, "LA attendance officer")


@pytest.fixture
def events():
    first, second = EnrolmentFactory.create(), EnrolmentFactory.create()
    outsider = UserFactory.create(first_name="Lena", last_name="Officer")
    audit_pupil_view(actor=outsider, enrolment=first)
    with transaction.atomic():
        audit_record(
            actor=None,
            actor_name="Data team",
            action="pupils.import",
            obj_type="file",
            obj_id="pupils-autumn.csv",
            summary="pupils-autumn.csv: 2 rows",
        )
    return first, second


def test_admin_changelist_loads_and_searches(client, events):
    first, _ = events
    admin = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:audit_auditevent_changelist")
    page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == 2
    for query, action in [
        ("Lena", "pupil.view"),
        (first.pupil.upn, "pupil.view"),
        ("pupils-autumn.csv", "pupils.import"),
        ("2 rows", "pupils.import"),
    ]:
        found = client.get(url, {"q": query})
        assert found.status_code == 200
        assert [e.action for e in found.context["cl"].result_list] == [action], query
    filtered = client.get(url, {"action": "pupil.view"})
    assert [e.action for e in filtered.context["cl"].result_list] == ["pupil.view"]
    event = AuditEvent.objects.get(action="pupil.view")
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    assert AuditEvent.objects.count() == 2


def test_admin_is_not_for_school_staff(client, events):
    office = MembershipFactory.create(role="office", user__is_staff=False).user
    client.force_login(office)
    response = client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 302
