"""The demo's targeted support meetings: two LA attendance officers (demo logins), a named officer
for every school, this year's meetings scheduled and the latest one past recorded as held, with
one action done and one open, so that the next pack carries them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from attend.accounts.models import Membership, User
from attend.accounts.roles import Role
from attend.organisations.models import LocalAuthority, School
from attend.registers.demo import DemoUser
from attend.tsm.domain import Term, year_of
from attend.tsm.models import TargetedSupportMeeting
from attend.tsm.services import (
    ActionInput,
    MeetingRecord,
    meeting_record,
    schedule_year,
    school_officers_set,
)

#: The LA's demo logins (members of the LA, not of a school: ``school`` is not used).
LA_DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("la-officer", "Rachel", "Green", Role.LA_OFFICER, 0, "LA attendance officer"),
    DemoUser("la-officer2", "Tom", "Hughes", Role.LA_OFFICER, 0, "LA attendance officer"),
    DemoUser("la-admin", "Joan", "Fielding", Role.LA_ADMIN, 0, "Attendance service manager"),
)


def tsm_demo(*, make_user: Callable[[DemoUser], User], today: dt.date) -> None:
    """Add the LA logins and the meetings to a freshly loaded demo. ``make_user`` is the demo
    command's function that creates a login (password and authenticator) from a DemoUser."""
    with transaction.atomic():
        for la in LocalAuthority.objects.filter(schools__isnull=False).distinct():
            users = {}
            for spec in LA_DEMO_USERS:
                user = make_user(spec)
                Membership.objects.get_or_create(
                    user=user, local_authority=la, role=Role(spec.role)
                )
                users[spec.username] = user
            # The school of the demo's head and office logins first, so that they see the meeting
            # and la-officer is its named officer.
            schools = sorted(
                School.objects.filter(local_authority=la),
                key=lambda s: (not s.memberships.filter(role=Role.SENIOR).exists(), s.pk),
            )
            officers = [users["la-officer"], users["la-officer2"]]
            school_officers_set(
                actor=users["la-admin"],
                officers={s.pk: officers[i % 2].pk for i, s in enumerate(schools)},
            )
            year = year_of(today)
            schedule_year(local_authority=la, year=year, actor=users["la-admin"])
            school, officer = schools[0], users["la-officer"]
            _hold_latest(school, year, officer, today)


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
