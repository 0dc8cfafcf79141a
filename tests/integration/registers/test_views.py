"""The register pages through the test client: taking, mark-all-present, late marks, refusals,
conflicts, amendments, the registers-not-taken list, a pupil's register, and who may see what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attend.registers.domain import Session
from attend.registers.models import Amendment, Mark, Register, Source, WeekSummary
from attend.registers.services import register_version
from attend.registers.views import CONFLICT_MESSAGE
from tests.factories import (
    EnrolmentFactory,
    GroupFactory,
    MarkFactory,
    MembershipFactory,
    SchoolFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db


def last_weekday() -> dt.date:
    day = timezone.localdate()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


DAY = last_weekday()


@pytest.fixture
def school():
    school = SchoolFactory(register_open_minutes=20)
    TermFactory(
        school=school, start_date=DAY - dt.timedelta(days=60), end_date=DAY + dt.timedelta(days=60)
    )
    return school


@pytest.fixture
def group(school):
    return GroupFactory(school=school, name="7B")


def enrol(group, n: int = 1):
    return [
        EnrolmentFactory(
            school=group.school, registration_group=group, start_date=DAY - dt.timedelta(days=90)
        )
        for _ in range(n)
    ]


@pytest.fixture
def pupils(group):
    return enrol(group, 3)


@pytest.fixture
def teacher(school, group):
    return member(school=school, role="teacher", groups=[group])


@pytest.fixture
def office(school):
    return member(school=school, role="office", user__position="Attendance officer")


def member(**kwargs):
    """A user with a membership at a school."""
    return MembershipFactory(**kwargs).user


def url(group, day=DAY, session="AM"):
    return reverse("register", args=[group.pk, day, session])


def take_data(pupils, codes, version="new", action="save", minutes=None):
    data = {"version": version, "action": action}
    for enrolment, code in zip(pupils, codes, strict=False):
        data[f"code_{enrolment.pk}"] = code
        data[f"minutes_{enrolment.pk}"] = (minutes or {}).get(enrolment.pk, "")
    return data


def selected(content: str, code: str) -> int:
    return content.count(f'<option value="{code}" selected>')


# -------------------------------------------------------------------------------------------------
# Taking a register
# -------------------------------------------------------------------------------------------------


def test_take_register_end_to_end(client, teacher, group, pupils):
    client.force_login(teacher)
    page = client.get(url(group))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="version" value="new"' in content
    assert "Save register" in content and "Mark all present" in content
    assert '<optgroup label="Unauthorised absence">' in content
    assert "N – Reason for absence not yet established" in content

    response = client.post(url(group), take_data(pupils, ["/", "/", "N"]))
    assert response.status_code == 302
    assert response["Location"] == url(group)

    register = Register.objects.get(group=group, date=DAY, session="AM")
    assert register.taken_by == teacher
    marks = {m.enrolment_id: m for m in Mark.objects.filter(date=DAY, session="AM")}
    assert [marks[e.pk].code for e in pupils] == ["/", "/", "N"]
    assert all(m.source == Source.REGISTER and m.recorded_by == teacher for m in marks.values())
    summaries = WeekSummary.objects.filter(enrolment__in=pupils)
    assert summaries.count() == 3
    assert sum(s.present for s in summaries) == 2
    assert sum(s.unauthorised for s in summaries) == 1

    after = client.get(url(group)).content.decode()
    assert "register saved" in after
    assert "This register has been taken" in after
    assert "Save register" not in after
    assert "Amend marks" not in after  # a teacher may not amend


def test_mark_all_present_fills_empty_rows_only(client, teacher, group, pupils):
    client.force_login(teacher)
    data = take_data(pupils, ["", "I", ""], action="all_present")
    page = client.post(url(group, session="PM"), data)
    assert page.status_code == 200
    content = page.content.decode()
    assert selected(content, "\\") == 2
    assert selected(content, "I") == 1
    assert "There is a problem" not in content
    assert not Register.objects.exists()

    am = client.post(url(group), take_data(pupils, ["", "", ""], action="all_present"))
    assert selected(am.content.decode(), "/") == 3


def test_late_after_register_closes_is_saved_as_u(client, teacher, group, pupils):
    client.force_login(teacher)
    minutes = {pupils[0].pk: "25", pupils[1].pk: "10"}
    response = client.post(url(group), take_data(pupils, ["L", "L", "/"], minutes=minutes))
    assert response.status_code == 302
    marks = {m.enrolment_id: m for m in Mark.objects.all()}
    assert (marks[pupils[0].pk].code, marks[pupils[0].pk].minutes_late) == ("U", 25)
    assert (marks[pupils[1].pk].code, marks[pupils[1].pk].minutes_late) == ("L", 10)


def test_missing_mark_is_refused_with_an_error_summary(client, teacher, group, pupils):
    client.force_login(teacher)
    response = client.post(url(group), take_data(pupils, ["/", "", "N"]))
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    name = pupils[1].pupil.full_name
    assert f'<a href="#id_code_{pupils[1].pk}">Select a mark for {name}</a>' in content
    assert "govuk-select--error" in content
    assert selected(content, "N") == 1  # the user's entries are kept
    assert not Register.objects.exists() and not Mark.objects.exists()


def test_service_refusal_is_shown_in_the_error_summary(client, teacher, group, pupils):
    client.force_login(teacher)
    response = client.post(
        url(group), take_data(pupils, ["/", "/", "N"], minutes={pupils[2].pk: "5"})
    )
    assert response.status_code == 400
    assert "Minutes late are only for late marks" in response.content.decode()
    assert not Mark.objects.exists()


def test_marks_already_held_are_read_only(client, teacher, group, pupils):
    MarkFactory(
        enrolment=pupils[0], date=DAY, session="AM", code="M", recorded_by_name="Office Person"
    )
    client.force_login(teacher)
    content = client.get(url(group)).content.decode()
    assert f'name="code_{pupils[0].pk}"' not in content
    assert "Already recorded by Office Person" in content
    version = re.search(r'name="version" value="([^"]+)"', content)[1]
    assert version == register_version(group, DAY, Session.AM) != "new"
    response = client.post(url(group), take_data(pupils[1:], ["/", "/"], version=version))
    assert response.status_code == 302
    assert Mark.objects.get(enrolment=pupils[0]).code == "M"
    assert Mark.objects.filter(date=DAY).count() == 3


def test_conflict_keeps_the_second_users_entries_and_overwrites_nothing(
    client, teacher, office, group, pupils
):
    client.force_login(teacher)
    first_version = re.search(r'name="version" value="([^"]*)"', client.get(url(group)).text)[1]
    client.force_login(office)
    second_version = re.search(r'name="version" value="([^"]*)"', client.get(url(group)).text)[1]
    assert first_version == second_version == "new"

    client.force_login(teacher)
    assert client.post(url(group), take_data(pupils, ["/", "/", "/"])).status_code == 302

    client.force_login(office)
    response = client.post(url(group), take_data(pupils, ["/", "G", "L"], minutes={}))
    assert response.status_code == 409
    content = response.content.decode()
    assert CONFLICT_MESSAGE in content
    assert "Your entry" in content
    assert "Holiday not granted by the school" in content  # the office's own G is shown
    assert content.count("govuk-tag--orange") == 2  # G and L differ from the saved /
    assert selected(content, "G") == 1 and selected(content, "L") == 1  # pre-filled to amend
    assert [m.code for m in Mark.objects.order_by("enrolment_id")] == ["/", "/", "/"]
    assert all(m.recorded_by == teacher for m in Mark.objects.all())
    assert Register.objects.get().taken_by == teacher
    assert not Amendment.objects.exists()


def test_conflict_for_a_teacher_shows_their_entries_without_an_amend_form(
    client, teacher, office, group, pupils
):
    client.force_login(office)
    assert client.post(url(group), take_data(pupils, ["/", "/", "/"])).status_code == 302
    client.force_login(teacher)
    response = client.post(url(group), take_data(pupils, ["N", "/", "/"]))
    assert response.status_code == 409
    content = response.content.decode()
    assert CONFLICT_MESSAGE in content
    assert "Reason for absence not yet established" in content
    assert "Ask the school office" in content
    assert 'name="reason"' not in content


# -------------------------------------------------------------------------------------------------
# Amending
# -------------------------------------------------------------------------------------------------


@pytest.fixture
def taken(client, teacher, group, pupils):
    client.force_login(teacher)
    assert client.post(url(group), take_data(pupils, ["/", "/", "/"])).status_code == 302
    client.logout()
    return pupils


def amend_data(group, pupils, codes, reason, minutes=None):
    data = take_data(pupils, codes, action="amend", minutes=minutes)
    data["version"] = register_version(group, DAY, Session.AM)
    data["reason"] = reason
    return data


def test_amendment_keeps_the_original_and_shows_history(client, office, group, taken):
    client.force_login(office)
    page = client.get(url(group))
    assert "Reason for amendment" in page.content.decode()
    data = amend_data(group, taken, ["/", "N", "/"], "Parent rang: not in school")
    response = client.post(url(group), data)
    assert response.status_code == 302

    amendment = Amendment.objects.get()
    assert (amendment.old_code, amendment.new_code) == ("/", "N")
    assert amendment.reason == "Parent rang: not in school"
    assert amendment.amended_by == office
    assert amendment.amended_by_position == "Attendance officer"
    assert amendment.mark.enrolment_id == taken[1].pk
    assert Mark.objects.get(enrolment=taken[1]).code == "N"
    assert Mark.objects.get(enrolment=taken[0]).amendments.count() == 0

    content = client.get(url(group)).content.decode()
    assert "1 mark amended" in content
    assert "Amended" in content
    assert "“Parent rang: not in school”" in content
    assert "(Attendance officer)" in content

    pupil_page = client.get(reverse("pupil_register", args=[taken[1].pk])).content.decode()
    assert 'href="#amendment-1"' in pupil_page
    assert "Parent rang: not in school" in pupil_page


def test_amendment_without_reason_is_refused(client, office, group, taken):
    client.force_login(office)
    response = client.post(url(group), amend_data(group, taken, ["/", "N", "/"], "  "))
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Enter the reason for the amendment" in content
    assert selected(content, "N") == 1
    assert not Amendment.objects.exists()
    assert Mark.objects.get(enrolment=taken[1]).code == "/"


def test_amendment_with_no_change_is_refused(client, office, group, taken):
    client.force_login(office)
    response = client.post(url(group), amend_data(group, taken, ["/", "/", "/"], "No change"))
    assert response.status_code == 400
    assert "Change at least one mark" in response.content.decode()


def test_amendment_on_a_changed_register_is_a_conflict(client, office, group, taken):
    client.force_login(office)
    stale = amend_data(group, taken, ["/", "N", "/"], "First")
    assert client.post(url(group), stale).status_code == 302
    stale["code_" + str(taken[2].pk)] = "I"
    stale["reason"] = "Second"
    response = client.post(url(group), stale)
    assert response.status_code == 409
    content = response.content.decode()
    assert CONFLICT_MESSAGE in content
    assert "Second" in content  # the reason is kept
    assert Amendment.objects.count() == 1


def test_teacher_cannot_amend(client, teacher, group, taken):
    client.force_login(teacher)
    response = client.post(url(group), amend_data(group, taken, ["N", "/", "/"], "Because"))
    assert response.status_code == 404
    assert not Amendment.objects.exists()


# -------------------------------------------------------------------------------------------------
# Calendar
# -------------------------------------------------------------------------------------------------


def test_not_a_school_session_is_refused_with_a_message(client, teacher, group, pupils):
    client.force_login(teacher)
    saturday = DAY + dt.timedelta(days=5 - DAY.weekday())
    page = client.get(url(group, day=saturday))
    assert page.status_code == 200
    assert "not a school session" in page.content.decode()
    assert 'name="action"' not in page.content.decode()
    response = client.post(url(group, day=saturday), take_data(pupils, ["/", "/", "/"]))
    assert response.status_code == 400
    assert not Mark.objects.exists()


def test_impossible_date_is_404(client, teacher, group):
    client.force_login(teacher)
    assert client.get(f"/registers/{group.pk}/2025-02-30/AM/").status_code == 404
    assert client.get(f"/registers/{group.pk}/2025-02-03/XX/").status_code == 404


# -------------------------------------------------------------------------------------------------
# Home and registers not taken
# -------------------------------------------------------------------------------------------------


def test_home_lists_groups_with_taken_status(client, teacher, office, group, pupils, school):
    client.force_login(teacher)
    today = timezone.localdate()
    content = client.get(reverse("home")).content.decode()
    assert reverse("register", args=[group.pk, today, "AM"]) in content
    assert reverse("register", args=[group.pk, today, "PM"]) in content
    assert "Not taken" in content
    assert "Registers not taken" not in content
    client.force_login(office)
    content = client.get(reverse("home")).content.decode()
    assert reverse("registers_missing", args=[school.pk]) in content


def test_home_shows_taken(client, teacher, group, pupils):
    today = timezone.localdate()
    Register.objects.create(group=group, date=today, session="AM", taken_at=timezone.now())
    client.force_login(teacher)
    content = client.get(reverse("home")).content.decode()
    assert content.count("govuk-tag--green") == 1


def test_registers_missing_lists_untaken_not_taken(client, office, school, group, pupils):
    other = GroupFactory(school=school, name="8C")
    enrol(other, 2)
    GroupFactory(school=school, name="Empty")
    Register.objects.create(group=group, date=DAY, session="AM", taken_at=timezone.now())
    client.force_login(office)
    response = client.get(
        reverse("registers_missing", args=[school.pk]), {"date": DAY.isoformat(), "session": "AM"}
    )
    assert response.status_code == 200
    rows = [(r.group.name, r.pupils) for r in response.context["rows"]]
    assert rows == [("8C", 2)]
    assert reverse("register", args=[other.pk, DAY, "AM"]) in response.content.decode()
    pm = client.get(
        reverse("registers_missing", args=[school.pk]), {"date": DAY.isoformat(), "session": "PM"}
    )
    assert [r.group.name for r in pm.context["rows"]] == ["7B", "8C"]


def test_registers_missing_defaults_and_bad_date(client, office, school):
    client.force_login(office)
    response = client.get(reverse("registers_missing", args=[school.pk]))
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    expected = "AM" if timezone.localtime().hour < 12 else "PM"
    assert response.context["session"] == expected
    bad = client.get(reverse("registers_missing", args=[school.pk]), {"date": "31/12/2025"})
    assert bad.status_code == 400
    assert "Enter a date in the form YYYY-MM-DD" in bad.content.decode()


# -------------------------------------------------------------------------------------------------
# A pupil's register
# -------------------------------------------------------------------------------------------------


def test_pupil_register_grid(client, office, group, pupils, school):
    e = pupils[0]
    monday = DAY - dt.timedelta(days=DAY.weekday())
    MarkFactory(enrolment=e, date=monday, session="AM", code="/")
    MarkFactory(enrolment=e, date=monday, session="PM", code="I")
    client.force_login(office)
    response = client.get(reverse("pupil_register", args=[e.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<th scope="col" class="govuk-table__header">Mon AM</th>' in content
    assert '<th scope="col" class="govuk-table__header">Fri PM</th>' in content
    week = next(w for w in response.context["weeks"] if w.monday == monday)
    assert [c.mark.code if c.mark else "" for c in week.cells[:3]] == ["/", "I", ""]
    assert [k.code for k in response.context["key"]] == ["/", "I"]
    assert "Illness, physical or mental" in content
    term = response.context["chosen"]
    assert term.start_date <= DAY <= term.end_date


def test_pupil_register_term_choice_and_fallback(client, office, group, pupils, school):
    earlier = TermFactory(
        school=school, start_date=dt.date(2020, 1, 6), end_date=dt.date(2020, 3, 27)
    )
    client.force_login(office)
    e = pupils[0]
    chosen = client.get(reverse("pupil_register", args=[e.pk]), {"term": "2020-01-06"})
    assert chosen.context["chosen"] == earlier
    assert len(chosen.context["weeks"]) == 12
    bad = client.get(reverse("pupil_register", args=[e.pk]), {"term": "2020-01-07"})
    assert "Select a term from the list" in bad.content.decode()

    lonely = SchoolFactory()
    lonely_group = GroupFactory(school=lonely)
    [pupil] = enrol(lonely_group)
    boss = member(school=lonely, role="office")
    client.force_login(boss)
    page = client.get(reverse("pupil_register", args=[pupil.pk]))
    assert page.context["chosen"] is None
    assert len(page.context["weeks"]) == 13
    assert "The last 13 weeks" in page.content.decode()


# -------------------------------------------------------------------------------------------------
# Who may see what: every view
# -------------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, group, pupils, school):
    for path in [
        reverse("home"),
        url(group),
        reverse("registers_missing", args=[school.pk]),
        reverse("pupil_register", args=[pupils[0].pk]),
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login")), path
    response = client.post(url(group), take_data(pupils, ["/", "/", "/"]))
    assert response.status_code == 302
    assert not Mark.objects.exists()


def test_teacher_of_another_group_gets_404(client, school, group, pupils):
    other_group = GroupFactory(school=school)
    other_teacher = member(school=school, role="teacher", groups=[other_group])
    client.force_login(other_teacher)
    assert client.get(url(group)).status_code == 404
    assert client.post(url(group), take_data(pupils, ["/", "/", "/"])).status_code == 404
    assert client.get(reverse("pupil_register", args=[pupils[0].pk])).status_code == 404
    assert client.get(reverse("registers_missing", args=[school.pk])).status_code == 404
    assert client.get(reverse("home")).status_code == 200
    assert not Mark.objects.exists()


def test_office_at_another_school_gets_404(client, group, pupils, school):
    stranger = member(role="office")
    client.force_login(stranger)
    assert client.get(url(group)).status_code == 404
    assert client.post(url(group), take_data(pupils, ["/", "/", "/"])).status_code == 404
    assert client.get(reverse("registers_missing", args=[school.pk])).status_code == 404
    assert client.get(reverse("pupil_register", args=[pupils[0].pk])).status_code == 404
    assert client.get(reverse("registers_missing", args=[999999])).status_code == 404
    assert client.get(reverse("pupil_register", args=[999999])).status_code == 404
    assert client.get(url(group).replace(str(group.pk), "999999", 1)).status_code == 404


def test_teacher_of_the_group_gets_200(client, teacher, group, pupils):
    client.force_login(teacher)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(url(group)).status_code == 200
    assert client.get(reverse("pupil_register", args=[pupils[0].pk])).status_code == 200


def test_office_of_the_school_gets_200(client, office, group, pupils, school):
    client.force_login(office)
    assert client.get(url(group)).status_code == 200
    assert client.get(reverse("registers_missing", args=[school.pk])).status_code == 200
    assert client.get(reverse("pupil_register", args=[pupils[0].pk])).status_code == 200


def test_pupil_register_idor(client, teacher, group, pupils):
    elsewhere = EnrolmentFactory()  # a pupil at another school
    client.force_login(teacher)
    assert client.get(reverse("pupil_register", args=[elsewhere.pk])).status_code == 404
    same_school_other_group = EnrolmentFactory(school=group.school)
    assert (
        client.get(reverse("pupil_register", args=[same_school_other_group.pk])).status_code == 404
    )


# -------------------------------------------------------------------------------------------------
# Queries do not grow with pupils
# -------------------------------------------------------------------------------------------------

MAX_QUERIES = 16  # session, user, 2FA device, scope (2), group, roll, marks, amendments, ...


def _page_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("taken_first", [False, True])
def test_register_page_queries_do_not_grow_with_pupils(
    client, office, group, django_assert_max_num_queries, taken_first
):
    client.force_login(office)

    few = enrol(group, 3)
    if taken_first:
        client.post(url(group, session="PM"), take_data(few, ["\\"] * 3))
        data = take_data(few, ["N", "\\", "\\"], action="amend")
        data["version"] = register_version(group, DAY, Session.PM)
        data["reason"] = "Rang in"
        assert client.post(url(group, session="PM"), data).status_code == 302
    path = url(group, session="PM")
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(path)
    small = _page_queries(client, path)
    more = enrol(group, 37)
    if taken_first:  # marks for the new pupils, some amended, as the office would add them
        for e in more:
            mark = MarkFactory(enrolment=e, date=DAY, session="PM", code="\\")
            Amendment.objects.create(
                mark=mark,
                old_code="N",
                old_recorded_at=timezone.now(),
                new_code="\\",
                reason="Arrived",
                amended_by_name="Office",
                amended_at=timezone.now(),
            )
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(path)
    assert _page_queries(client, path) == small
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("pupil_register", args=[more[0].pk])).status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("home")).status_code == 200
