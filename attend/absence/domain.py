"""The rules of the daily follow-up of absence, as plain Python (no Django).

* Which marks are *unexplained*: N (reason not yet established) and O (absent in other or unknown
  circumstances). G and U are unauthorised too, but their reason is known (a holiday, arriving
  late), so they are not followed up as unexplained.
* The deadline of an N mark: it must be corrected within 5 school days (reg 10(7)-(9) of
  SI 2024/208; statutory-rules.md §1.1). The deadline is the 5th school day after the mark's
  date; the mark is overdue once that day has passed, and then becomes O if no reason came.
* Consecutive unexplained school days, and the escalation they call for (the school's settings;
  the defaults follow the seeds' school policy: parents on day 1, emergency contacts and letters
  on day 2, a home visit on day 3, the local authority as missing education by the 10th day).
* The order of the office's worklist: vulnerable pupils first.
* Spells of illness, so that the school can ask for medical evidence when they repeat (the
  number of spells is the school's setting: no statutory figure exists).
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum, StrEnum

from attend.registers.domain import CODES, Category

UNEXPLAINED_CODES: frozenset[str] = frozenset({"N", "O"})
"""Codes that say the school does not know why the pupil is away."""

ATTENDED_CODES: frozenset[str] = frozenset(
    c.code for c in CODES.values() if c.category in (Category.PRESENT, Category.AEA)
)
"""Present or in approved educational activity: the pupil was seen that session."""

N_RESOLVE_SCHOOL_DAYS = 5
"""An N mark must be corrected within 5 school days (reg 10(7)-(9), statutory-rules.md §1.1)."""

REASON_CODES: tuple[str, ...] = tuple(
    c.code
    for c in CODES.values()
    if c.category in (Category.AUTHORISED, Category.UNAUTHORISED) and c.code != "N"
)
"""The codes a reason received may turn an N into: absence codes, authorised or not (never N
itself, never a present mark: a pupil who arrives late is U or L through the register)."""

O_REASON = "No reason received within 5 school days"


# -------------------------------------------------------------------------------------------------
# School days and the deadline of an N mark
# -------------------------------------------------------------------------------------------------


def weekdays(start: date, end: date) -> list[date]:
    """Monday to Friday from ``start`` to ``end``: the school days of a school with no calendar."""
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def n_deadline(mark_date: date, school_days: Sequence[date]) -> date | None:
    """The last day to resolve an N mark of ``mark_date``: the 5th school day after it.

    ``school_days`` is sorted. None when the calendar does not yet hold 5 school days after it.
    """
    after = bisect.bisect_right(school_days, mark_date)
    index = after + N_RESOLVE_SCHOOL_DAYS - 1
    return school_days[index] if index < len(school_days) else None


def n_overdue(mark_date: date, as_of: date, school_days: Sequence[date]) -> bool:
    """Whether an N mark of ``mark_date`` is past its deadline on ``as_of``: 5 school days after
    the mark have all gone by before ``as_of``."""
    after = bisect.bisect_right(school_days, mark_date)
    before = bisect.bisect_left(school_days, as_of)
    return before - after >= N_RESOLVE_SCHOOL_DAYS


# -------------------------------------------------------------------------------------------------
# Consecutive unexplained school days
# -------------------------------------------------------------------------------------------------


def day_unexplained(codes: Collection[str]) -> bool:
    """A school day counts as an unexplained absence when at least one of its marks is N or O
    and the pupil attended no session of it (a pupil seen in the morning is not missing)."""
    return any(c in UNEXPLAINED_CODES for c in codes) and not any(
        c in ATTENDED_CODES for c in codes
    )


def consecutive_unexplained_days(
    day: date, school_days: Sequence[date], codes_by_day: Mapping[date, Collection[str]]
) -> int:
    """How many school days in a row, ending with ``day`` (the last school day on or before it),
    count as unexplained absence. Days that are not school days (weekends, holidays, closures)
    neither count nor break the run; a school day with no mark breaks it."""
    end = bisect.bisect_right(school_days, day)
    count = 0
    for index in range(end - 1, -1, -1):
        if not day_unexplained(codes_by_day.get(school_days[index], ())):
            break
        count += 1
    return count


def illness_spells(ill_days: Collection[date], school_days: Sequence[date]) -> int:
    """Spells of illness: runs of consecutive school days with an illness (I) mark; a school day
    without one ends a spell, a weekend or holiday does not. A day with an I mark counts as a
    school day even when the calendar does not hold it."""
    ill = set(ill_days)
    spells, in_spell = 0, False
    for day in sorted(ill | set(school_days)):
        if day in ill:
            spells += not in_spell
            in_spell = True
        else:
            in_spell = False
    return spells


# -------------------------------------------------------------------------------------------------
# Escalation
# -------------------------------------------------------------------------------------------------


class Step(StrEnum):
    CONTACT_PARENTS = "contact_parents"
    EMERGENCY_CONTACTS = "emergency_contacts"
    HOME_VISIT = "home_visit"
    LA_REFERRAL = "la_referral"

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS: Mapping[Step, str] = {
    Step.CONTACT_PARENTS: "Contact the parents, in priority order",
    Step.EMERGENCY_CONTACTS: "Contact the emergency contacts and send a letter home",
    Step.HOME_VISIT: "Make a home visit",
    Step.LA_REFERRAL: "Refer to the local authority as missing education",
}


class InvalidEscalation(ValueError):
    """The escalation days are not in order."""


@dataclass(frozen=True)
class Escalation:
    """On which day of unexplained absence each step starts (day 1: the parents)."""

    emergency_contacts: int = 2
    home_visit: int = 3
    la_referral: int = 10

    def __post_init__(self) -> None:
        if not 2 <= self.emergency_contacts <= self.home_visit <= self.la_referral:
            raise InvalidEscalation(
                "The days must be in order: emergency contacts (from day 2), then the home "
                "visit, then the referral to the local authority"
            )


def next_step(days: int, escalation: Escalation) -> Step:
    """The step the office should take on the ``days``-th school day of unexplained absence."""
    if days >= escalation.la_referral:
        return Step.LA_REFERRAL
    if days >= escalation.home_visit:
        return Step.HOME_VISIT
    if days >= escalation.emergency_contacts:
        return Step.EMERGENCY_CONTACTS
    return Step.CONTACT_PARENTS


# -------------------------------------------------------------------------------------------------
# Vulnerability and the order of the worklist
# -------------------------------------------------------------------------------------------------


class Vulnerability(IntEnum):
    """Lower comes first on the worklist."""

    SOCIAL_CARE = 0  # a social worker, a child protection plan or a child in need plan
    LOOKED_AFTER = 1
    EHCP = 2
    NONE = 3


@dataclass(frozen=True)
class Flags:
    """What the office should know first about a pupil (the values in force on the day)."""

    social_worker: bool = False
    cp_plan: bool = False
    cin_plan: bool = False
    looked_after: bool = False
    ehcp: bool = False
    youth_offending: bool = False

    @property
    def vulnerability(self) -> Vulnerability:
        if self.social_worker or self.cp_plan or self.cin_plan:
            return Vulnerability.SOCIAL_CARE
        if self.looked_after:
            return Vulnerability.LOOKED_AFTER
        if self.ehcp:
            return Vulnerability.EHCP
        return Vulnerability.NONE

    @property
    def labels(self) -> list[str]:
        names = (
            (self.social_worker, "Social worker"),
            (self.cp_plan, "Child protection plan"),
            (self.cin_plan, "Child in need plan"),
            (self.looked_after, "Looked after"),
            (self.ehcp, "EHC plan"),
            (self.youth_offending, "Youth offending"),
        )
        return [label for flag, label in names if flag]


def worklist_key(
    flags: Flags, previous_unexplained: int, surname: str, forename: str
) -> tuple[int, int, str, str]:
    """Vulnerable pupils first (social care, looked after, EHC plan), then the pupils with more
    unexplained absences earlier this year, then by name."""
    return (flags.vulnerability, -previous_unexplained, surname.casefold(), forename.casefold())


def flags_from(values: Iterable[tuple[str, str]], on_caseload: bool = False) -> Flags:
    """Flags from the characteristics in force, as (kind, value) pairs (kind names as in
    pupils.models.CharacteristicKind; SEN status E is an EHC plan)."""
    held = dict(values)
    yes = {kind for kind, value in held.items() if value == "Y"}
    return Flags(
        social_worker=on_caseload or "social_worker" in yes,
        cp_plan="cp_plan" in yes,
        cin_plan="cin_plan" in yes,
        looked_after="looked_after" in yes,
        ehcp=held.get("sen_status") == "E",
        youth_offending="youth_offending" in yes,
    )
