"""The permission matrix: every page, for anonymous visitors and every role, here and elsewhere.

Every named URL of the project must have an entry in MATRIX; a new view without one fails
`test_every_view_is_in_the_matrix`. For each entry and actor the expected status is:

* anonymous: a redirect to sign-in (302), unless the page is public;
* a role with the right here: 200;
* a role without the right, or with it at another school, trust or LA: 404 (never a 403 that
  would confirm the object exists).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from attend.accounts.models import CaseloadEntry, Membership
from attend.governors.models import GovernorsReport
from attend.monitoring.models import Priority
from attend.monitoring.priorities import la_defaults_ensure
from attend.organisations.models import Trust
from attend.pupils.models import Characteristic, Contact, Flag, PupilFlag
from tests.factories import (
    EnrolmentFactory,
    GroupFactory,
    LocalAuthorityFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

#: Public pages: anyone may open them.
PUBLIC = {"login", "logout"}
#: The signed-in user's own two-factor pages: every signed-in user has their own, nothing else is
#: reachable through them (tests/integration/accounts covers them).
OWN_ACCOUNT = {"two_factor_setup", "two_factor_verify"}

ACTORS = (
    "anonymous",
    "teacher",
    "teacher_other_group",
    "office",
    "office_elsewhere",
    "senior",
    "governor",
    "trust_lead",
    "trust_lead_elsewhere",
    "la_officer",
    "la_officer_elsewhere",
    "la_admin",
    "social_worker",
    "social_worker_other_child",
    "virtual_school_head",
    "virtual_school_head_elsewhere",
    "parent",
    "parent_other_child",
)


@dataclass(frozen=True)
class Entry:
    url: Callable[[World], str]
    allowed: frozenset[str]


def last_weekday() -> dt.date:
    day = timezone.localdate()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


SIGNED_IN = frozenset(ACTORS) - {"anonymous"}
TSM_WIDE = frozenset(
    {"trust_lead", "trust_lead_elsewhere", "la_officer", "la_officer_elsewhere", "la_admin"}
)
TSM_READERS = frozenset({"office", "senior", "trust_lead", "la_officer", "la_admin"})
TSM_MANAGERS = frozenset({"la_officer", "la_admin"})


def _tsm_url(name: str, w: World) -> str:
    return reverse(name, args=[w.school.pk, 2026, "spring"])


MATRIX: dict[str, Entry] = {
    "home": Entry(lambda w: reverse("home"), SIGNED_IN),
    "register": Entry(
        lambda w: reverse("register", args=[w.group.pk, last_weekday(), "AM"]),
        frozenset({"teacher", "office", "senior"}),
    ),
    "registers_missing": Entry(
        lambda w: reverse("registers_missing", args=[w.school.pk]),
        frozenset({"office", "senior", "trust_lead", "la_officer"}),
    ),
    "pupil_register": Entry(
        lambda w: reverse("pupil_register", args=[w.enrolment.pk]),
        frozenset(
            {
                "teacher",
                "office",
                "senior",
                "trust_lead",
                "la_officer",
                "social_worker",
                "virtual_school_head",
                "parent",
            }
        ),
    ),
    "school_dashboard": Entry(
        lambda w: reverse("school_dashboard", args=[w.school.pk]),
        frozenset({"office", "senior", "governor", "trust_lead", "la_officer", "la_admin"}),
    ),
    "school_category": Entry(
        lambda w: reverse("school_category", args=[w.school.pk, "persistent"]),
        frozenset({"office", "senior", "trust_lead", "la_officer"}),
    ),
    "governors_view": Entry(
        lambda w: reverse("governors_view", args=[w.school.pk]),
        frozenset({"office", "senior", "governor", "trust_lead", "la_officer", "la_admin"}),
    ),
    # Downloads are the same views with ?format=csv: the same scope, checked the same way.
    "school_dashboard.csv": Entry(
        lambda w: reverse("school_dashboard", args=[w.school.pk]) + "?format=csv&table=categories",
        frozenset({"office", "senior", "governor", "trust_lead", "la_officer", "la_admin"}),
    ),
    "school_category.csv": Entry(
        lambda w: reverse("school_category", args=[w.school.pk, "persistent"]) + "?format=csv",
        frozenset({"office", "senior", "trust_lead", "la_officer"}),
    ),
    # The pupil page: whoever sees the pupil's register.
    "pupil_page": Entry(
        lambda w: reverse("pupil_page", args=[w.enrolment.pk]),
        frozenset(
            {
                "teacher",
                "office",
                "senior",
                "trust_lead",
                "la_officer",
                "social_worker",
                "virtual_school_head",
                "parent",
            }
        ),
    ),
    # Who needs attention and recognition name pupils: pupil.view_school at the school.
    "school_attention": Entry(
        lambda w: reverse("school_attention", args=[w.school.pk]),
        frozenset({"office", "senior", "trust_lead", "la_officer"}),
    ),
    "school_attention.xlsx": Entry(
        lambda w: reverse("school_attention", args=[w.school.pk]) + "?format=xlsx&table=no_case",
        frozenset({"office", "senior", "trust_lead", "la_officer"}),
    ),
    "school_recognition": Entry(
        lambda w: reverse("school_recognition", args=[w.school.pk]),
        frozenset({"office", "senior", "trust_lead", "la_officer"}),
    ),
    "recognition_certificates": Entry(
        lambda w: reverse("recognition_certificates", args=[w.school.pk]) + f"?group={w.group.pk}",
        frozenset({"office", "senior", "trust_lead", "la_officer"}),
    ),
    # Governors' comparison, termly report on demand and a stored report (attend.governors).
    "governors_view.comparison.csv": Entry(
        lambda w: reverse("governors_view", args=[w.school.pk]) + "?format=csv&table=comparison",
        frozenset({"office", "senior", "governor", "trust_lead", "la_officer", "la_admin"}),
    ),
    "governors_termly_report": Entry(
        lambda w: reverse("governors_termly_report", args=[w.school.pk, 2025, "autumn"]),
        frozenset({"office", "senior", "governor", "trust_lead", "la_officer", "la_admin"}),
    ),
    "governors_stored_report": Entry(
        lambda w: reverse("governors_stored_report", args=[w.school.pk, _governors_report(w).pk]),
        frozenset({"office", "senior", "governor", "trust_lead", "la_officer", "la_admin"}),
    ),
    # The absence follow-up: staff who amend registers and see every pupil (office, senior).
    "follow_up": Entry(
        lambda w: reverse("follow_up", args=[w.school.pk]), frozenset({"office", "senior"})
    ),
    "follow_up.csv": Entry(
        lambda w: reverse("follow_up", args=[w.school.pk]) + "?format=csv&table=worklist",
        frozenset({"office", "senior"}),
    ),
    "follow_up_settings": Entry(
        lambda w: reverse("follow_up_settings", args=[w.school.pk]),
        frozenset({"office", "senior"}),
    ),
    "follow_up_pupil": Entry(
        lambda w: reverse("follow_up_pupil", args=[w.enrolment.pk, last_weekday()]),
        frozenset({"office", "senior"}),
    ),
    # Every trust or LA reader has an overview of their own schools (a school's users: 404).
    "la_overview": Entry(
        lambda w: reverse("la_overview"),
        frozenset(
            {
                "trust_lead",
                "trust_lead_elsewhere",
                "la_officer",
                "la_officer_elsewhere",
                "la_admin",
            }
        ),
    ),
    # Targeted support meetings (attend.tsm): the LA's list for trust and LA readers of their own
    # schools; a school's meetings and packs for its senior and office staff, trust lead and LA;
    # the forms for the LA's officers and administrators; named officers for LA administrators.
    "tsm_list": Entry(lambda w: reverse("tsm_list"), TSM_WIDE),
    "tsm_list.csv": Entry(lambda w: reverse("tsm_list") + "?format=csv", TSM_WIDE),
    "tsm_officers": Entry(lambda w: reverse("tsm_officers"), frozenset({"la_admin"})),
    "school_tsms": Entry(lambda w: reverse("school_tsms", args=[w.school.pk]), TSM_READERS),
    "tsm_plan": Entry(lambda w: _tsm_url("tsm_plan", w), TSM_MANAGERS),
    "tsm_record": Entry(lambda w: _tsm_url("tsm_record", w), TSM_MANAGERS),
    "tsm_pack": Entry(lambda w: _tsm_url("tsm_pack", w), TSM_READERS),
    "tsm_pack.csv": Entry(
        lambda w: _tsm_url("tsm_pack", w) + "?format=csv&table=categories", TSM_READERS
    ),
    "tsm_pack_pdf": Entry(lambda w: _tsm_url("tsm_pack_pdf", w), TSM_READERS),
    # Cohorts (a governor-visible export) and the LA's priorities on the overview.
    "school_dashboard.cohorts.csv": Entry(
        lambda w: reverse("school_dashboard", args=[w.school.pk]) + "?format=csv&table=cohorts",
        frozenset({"office", "senior", "governor", "trust_lead", "la_officer", "la_admin"}),
    ),
    "governors_view.cohorts.xlsx": Entry(
        lambda w: reverse("governors_view", args=[w.school.pk]) + "?format=xlsx&table=cohorts",
        frozenset({"office", "senior", "governor", "trust_lead", "la_officer", "la_admin"}),
    ),
    # The LA's priorities with their trend: LA readers of figures (trust leads: 404).
    "la_priority_trends": Entry(
        lambda w: reverse("la_priority_trends"),
        frozenset({"la_officer", "la_officer_elsewhere", "la_admin"}),
    ),
    "la_priority_trends.csv": Entry(
        lambda w: reverse("la_priority_trends") + "?format=csv",
        frozenset({"la_officer", "la_officer_elsewhere", "la_admin"}),
    ),
    # A school's flags: office and senior staff of the school.
    "school_flags": Entry(
        lambda w: reverse("school_flags", args=[w.school.pk]), frozenset({"office", "senior"})
    ),
    "school_flag": Entry(
        lambda w: reverse("school_flag", args=[w.school.pk, _flag(w).pk]),
        frozenset({"office", "senior"}),
    ),
    "school_flag_end": Entry(
        lambda w: reverse("school_flag_end", args=[w.school.pk, _flag(w).pk, _pupil_flag(w).pk]),
        frozenset({"office", "senior"}),
    ),
    # The LA's priorities: its administrators.
    "la_priorities": Entry(lambda w: reverse("la_priorities"), frozenset({"la_admin"})),
    "la_priority": Entry(
        lambda w: reverse("la_priority", args=[_priority(w).pk]), frozenset({"la_admin"})
    ),
}


def _flag(w: World) -> Flag:
    return Flag.objects.get_or_create(school=w.school, name="Matrix flag")[0]


def _pupil_flag(w: World) -> PupilFlag:
    return PupilFlag.objects.get_or_create(
        pupil=w.enrolment.pupil,
        flag=_flag(w),
        school=w.school,
        defaults={"start_date": dt.date(2025, 9, 1), "set_at": timezone.now()},
    )[0]


def _priority(w: World) -> Priority:
    la_defaults_ensure(w.school.local_authority)
    return Priority.objects.filter(local_authority=w.school.local_authority).earliest("order")


class World:
    """Two LAs, two trusts, two schools; one pupil at school A who is looked after."""

    school: Any
    group: Any
    enrolment: Any
    elsewhere: Any

    def __init__(self) -> None:
        la, la_b = LocalAuthorityFactory(code="938"), LocalAuthorityFactory(code="888")
        trust = Trust.objects.create(name="Trust A", companies_house_number="01234567")
        trust_b = Trust.objects.create(name="Trust B", companies_house_number="07654321")
        self.school = SchoolFactory(local_authority=la, trust=trust)
        school_b = SchoolFactory(local_authority=la_b, trust=trust_b)
        self.group = GroupFactory(school=self.school)
        other_group = GroupFactory(school=self.school)
        self.enrolment = EnrolmentFactory(school=self.school, registration_group=self.group)
        pupil = self.enrolment.pupil
        other_child = EnrolmentFactory(school=self.school, registration_group=other_group).pupil
        self.elsewhere = EnrolmentFactory(school=school_b)
        Characteristic.objects.create(
            pupil=pupil, kind="looked_after", value="Y", applies_from=dt.date(2024, 9, 1)
        )
        self.users: dict[str, Any] = {"anonymous": None}

        def member(name: str, role: str, **where: object) -> Any:
            user = UserFactory(username=name)
            membership = Membership.objects.create(user=user, role=role, **where)
            if name == "teacher":
                membership.groups.set([self.group])
            if name == "teacher_other_group":
                membership.groups.set([other_group])
            self.users[name] = user
            return user

        member("teacher", "teacher", school=self.school)
        member("teacher_other_group", "teacher", school=self.school)
        member("office", "office", school=self.school)
        member("office_elsewhere", "office", school=school_b)
        member("senior", "senior", school=self.school)
        member("governor", "governor", school=self.school)
        member("trust_lead", "trust_lead", trust=trust)
        member("trust_lead_elsewhere", "trust_lead", trust=trust_b)
        member("la_officer", "la_officer", local_authority=la)
        member("la_officer_elsewhere", "la_officer", local_authority=la_b)
        member("la_admin", "la_admin", local_authority=la)
        for name, child in (("social_worker", pupil), ("social_worker_other_child", other_child)):
            worker = member(name, "social_worker", local_authority=la)
            CaseloadEntry.objects.create(user=worker, pupil=child, start_date=dt.date(2024, 9, 1))
        member("virtual_school_head", "virtual_school_head", local_authority=la)
        member("virtual_school_head_elsewhere", "virtual_school_head", local_authority=la_b)
        for name, child in (("parent", pupil), ("parent_other_child", other_child)):
            user = UserFactory(username=name)
            Contact.objects.create(
                pupil=child,
                surname="Parent",
                forename=name,
                relationship="Mother",
                parental_responsibility=True,
                user=user,
            )
            self.users[name] = user


def _governors_report(world: World) -> Any:
    """A stored termly report of the school (made once)."""
    return GovernorsReport.objects.get_or_create(
        school=world.school,
        academic_year=2025,
        term="autumn",
        defaults={
            "start_date": dt.date(2025, 9, 1),
            "end_date": dt.date(2025, 12, 19),
            "generated_at": timezone.now(),
            "generated_by": "test",
            "pdf": b"%PDF-1.7 test",
        },
    )[0]


def named_patterns(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: superusers only, its own permission system
            names |= named_patterns(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_view_is_in_the_matrix() -> None:
    missing = named_patterns() - set(MATRIX) - PUBLIC - OWN_ACCOUNT
    assert not missing, f"views without a permission-matrix entry: {sorted(missing)}"


@pytest.fixture
def world() -> World:
    return World()


@pytest.mark.parametrize("view", sorted(MATRIX))
def test_matrix(client, world: World, view: str) -> None:
    entry = MATRIX[view]
    url = entry.url(world)
    failures = []
    for actor in ACTORS:
        client.logout()
        user = world.users[actor]
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        if actor == "anonymous":
            expected = 302
            ok = response.status_code == 302 and reverse("login") in response["Location"]
        else:
            expected = 200 if actor in entry.allowed else 404
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{actor}: expected {expected}, got {response.status_code}")
    assert not failures, f"{view} ({url}): " + "; ".join(failures)
