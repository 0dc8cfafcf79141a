"""The demo's targeted support meetings: the demo LA's attendance officer named for every school,
this year's meetings scheduled, and the latest one past at the school of the demo head recorded
as held, with one action done and one open, so that the next pack carries them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from attend.accounts.models import Membership, User
from attend.accounts.roles import Role
from attend.organisations.models import LocalAuthority, School
from attend.tsm.domain import Term, year_of
from attend.tsm.models import TargetedSupportMeeting
from attend.tsm.services import (
    ActionInput,
    MeetingRecord,
    meeting_record,
    schedule_year,
    school_officers_set,
)


def _member(la: LocalAuthority, role: Role) -> User | None:
    membership = (
        Membership.objects.filter(local_authority=la, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def tsm_demo(*, today: dt.date) -> None:
    """Add the meetings to a freshly loaded demo (after its logins: the LA's first attendance
    officer and administrator act). ``today``: the day after the last day of marks."""
    with transaction.atomic():
        for la in LocalAuthority.objects.filter(schools__isnull=False).distinct():
            officer, admin = _member(la, Role.LA_OFFICER), _member(la, Role.LA_ADMIN)
            if officer is None or admin is None:
                continue
            schools = list(School.objects.filter(local_authority=la).order_by("pk"))
            school_officers_set(actor=admin, officers={s.pk: officer.pk for s in schools})
            year = year_of(today)
            schedule_year(local_authority=la, year=year, actor=admin)
            # The school of the demo's head and office logins, so that they see the meeting.
            staffed = [s for s in schools if s.memberships.filter(role=Role.SENIOR).exists()]
            _hold_latest((staffed or schools)[0], year, officer, today)


def _hold_latest(school: School, year: int, officer: User, today: dt.date) -> None:
    past = (
        TargetedSupportMeeting.objects.filter(school=school, planned_on__lt=today)
        .order_by("-planned_on")
        .first()
    )
    if past is None:  # early in the autumn term: last summer's meeting
        schedule_year(local_authority=school.local_authority, year=year - 1, actor=officer)
        past = TargetedSupportMeeting.objects.get(school=school, year=year - 1, term=Term.SUMMER)
    held = past.planned_on
    staff = [
        f"{m.user.display_name} ({m.user.position or m.get_role_display()})"
        for m in Membership.objects.filter(school=school, role__in=[Role.SENIOR, Role.OFFICE])
        .select_related("user")
        .order_by("role", "user__last_name")
    ]
    meeting_record(
        actor=officer,
        school_id=school.pk,
        year=past.year,
        term=past.term_enum,
        today=today,
        record=MeetingRecord(
            held_on=held,
            la_officer_id=officer.pk,
            attendees="\n".join([*staff, f"{officer.display_name} (LA attendance officer)"]),
            discussion=(
                "Reviewed the five categories and the severely absent pupils one by one. "
                "Most absence is illness in the autumn; unauthorised absence is concentrated in "
                "Years 5 and 6. Agreed a joint approach for each severely absent pupil."
            ),
            successes="First-day calling is in place; attendance of pupils with an EHCP is up.",
            improvements="Earlier contact with families after two days of unexplained absence.",
            actions=[
                ActionInput(
                    description="Send the first-day absence letter to every family",
                    owner="Attendance officer",
                    due_on=held + dt.timedelta(days=7),
                    done_on=min(held + dt.timedelta(days=5), today),
                    notes="Sent to all families.",
                ),
                ActionInput(
                    description=(
                        "Hold a support meeting with the family of each severely absent pupil"
                    ),
                    owner="Head of Year 6 with the LA attendance officer",
                    due_on=held + dt.timedelta(days=42),
                ),
            ],
        ),
    )
