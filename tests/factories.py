"""Test data factories (factory_boy)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from attend.accounts.models import Membership, User
from attend.organisations.models import (
    CalendarEntry,
    LocalAuthority,
    Phase,
    RegistrationGroup,
    School,
)
from attend.pupils.domain import upn_check_letter
from attend.pupils.models import Enrolment, Pupil
from attend.registers.models import Mark, Source


def make_upn(n: int, la: str = "938") -> str:
    """A valid UPN: check letter, LA number, school number, year and serial."""
    body = f"{la}2024{n:05d}"[:12]
    return upn_check_letter(body) + body


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{800 + n % 199:03d}")
    name = factory.Sequence(lambda n: f"Authority {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Sequence(lambda n: f"School {n}")
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    phase = Phase.PRIMARY


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarEntry

    school = factory.SubFactory(SchoolFactory)
    kind = CalendarEntry.Kind.TERM
    start_date = dt.date(2025, 9, 1)
    end_date = dt.date(2025, 12, 19)
    session = ""


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationGroup

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    upn = factory.Sequence(make_upn)
    surname = factory.Sequence(lambda n: f"Surname{n}")
    forename = factory.Sequence(lambda n: f"Forename{n}")
    date_of_birth = dt.date(2015, 3, 1)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SubFactory(SchoolFactory)
    start_date = dt.date(2024, 9, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"User{n}")
    position = "Teacher"
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = "teacher"

    @factory.post_generation
    def groups(self, create: bool, extracted: list[RegistrationGroup] | None) -> None:
        if create and extracted:
            self.groups.set(extracted)


class MarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mark

    enrolment = factory.SubFactory(EnrolmentFactory)
    date = dt.date(2025, 9, 1)
    session = "AM"
    code = "/"
    recorded_at = factory.LazyFunction(timezone.now)
    recorded_by_name = "test"
    source = Source.IMPORT
