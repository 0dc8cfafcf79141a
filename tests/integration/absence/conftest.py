"""A school for the follow-up tests: autumn term 2025 with half term, one group, an office user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings

from attend.absence.models import FollowUpSettings
from attend.organisations.models import CalendarEntry
from attend.pupils.models import Characteristic, Contact
from attend.registers import summaries
from tests.factories import (
    EnrolmentFactory,
    GroupFactory,
    MarkFactory,
    MembershipFactory,
    PupilFactory,
    SchoolFactory,
    TermFactory,
)

DAY = dt.date(2025, 11, 10)  # a Monday


@dataclass
class FollowUpWorld:
    school: Any
    group: Any
    office: Any
    settings: Any

    def pupil(
        self,
        surname: str,
        forename: str = "Pat",
        *,
        flags: dict[str, str] | None = None,
        phone: str = "07700 900001",
        email: str = "",
    ) -> Any:
        enrolment = EnrolmentFactory(
            pupil=PupilFactory(surname=surname, forename=forename),
            school=self.school,
            registration_group=self.group,
            start_date=dt.date(2025, 9, 1),
        )
        for kind, value in (flags or {}).items():
            Characteristic.objects.create(
                pupil=enrolment.pupil, kind=kind, value=value, applies_from=dt.date(2025, 9, 1)
            )
        Contact.objects.create(
            pupil=enrolment.pupil,
            surname=surname,
            forename="Parent",
            relationship="Mother",
            parental_responsibility=True,
            priority=1,
            phone=phone,
            email=email,
        )
        return enrolment

    def marks(self, enrolment: Any, codes: dict[tuple[dt.date, str], str]) -> None:
        for (day, session), code in codes.items():
            MarkFactory(enrolment=enrolment, date=day, session=session, code=code)
        summaries.rebuild_all()

    def n(self, enrolment: Any, day: dt.date = DAY, sessions: tuple[str, ...] = ("AM", "PM")):
        self.marks(enrolment, {(day, s): "N" for s in sessions})


@pytest.fixture
def fw(tmp_path) -> Any:
    school = SchoolFactory(name="Rowan Primary")
    TermFactory(school=school, start_date=dt.date(2025, 9, 3), end_date=dt.date(2025, 12, 19))
    CalendarEntry.objects.create(
        school=school,
        kind=CalendarEntry.Kind.CLOSURE,
        start_date=dt.date(2025, 10, 27),
        end_date=dt.date(2025, 10, 31),
    )
    group = GroupFactory(school=school, name="3 Ash")
    office = MembershipFactory(
        school=school, role="office", user__username="office", user__email="office@example.org"
    ).user
    settings = FollowUpSettings.objects.create(school=school, office_phone="01632 960001")
    with override_settings(ATTEND_OUTBOX_DIR=tmp_path / "outbox"):
        yield FollowUpWorld(school=school, group=group, office=office, settings=settings)
