"""Cohorts of pupils and their gaps, as plain Python: which enrolment is in which cohort on a day,
the figures of a cohort against all other pupils, which cohorts an aggregates-only reader may see,
and the half terms of an academic year (for the trend of the LA's priorities).

No Django here (import-linter): the selectors in :mod:`attend.monitoring.cohorts` read the rows and
call these functions with the exact session counts of each enrolment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from attend.monitoring.domain import SMALLEST_SHOWN
from attend.registers.domain import (
    Counts,
    is_persistent_absence,
    is_severe_absence,
    percent_of,
)

# -------------------------------------------------------------------------------------------------
# Characteristics in force
# -------------------------------------------------------------------------------------------------


def value_in_force(history: Iterable[tuple[dt.date, str]], on: dt.date) -> str | None:
    """The value of a dated characteristic on a day: the one with the latest ``applies_from`` on
    or before ``on`` (as ``PupilQuerySet.with_characteristic``); None when none applies yet."""
    best: tuple[dt.date, str] | None = None
    for applies_from, value in history:
        if applies_from <= on and (best is None or applies_from > best[0]):
            best = (applies_from, value)
    return None if best is None else best[1]


def flag_in_force(start: dt.date, end: dt.date | None, on: dt.date) -> bool:
    """A pupil's flag is in force from its start to its end (inclusive; no end: open)."""
    return start <= on and (end is None or end >= on)


# -------------------------------------------------------------------------------------------------
# Cohort definitions
# -------------------------------------------------------------------------------------------------


class CohortGroup(StrEnum):
    """The kinds of cohort, in the order of the table."""

    YEAR_GROUP = "year_group"
    REGISTRATION_GROUP = "registration_group"
    GENDER = "gender"
    NEEDS = "needs"
    DISADVANTAGE = "disadvantage"
    CARE = "care"
    ETHNICITY = "ethnicity"
    FLAGS = "flags"


GROUP_LABELS: dict[CohortGroup, str] = {
    CohortGroup.YEAR_GROUP: "Year groups",
    CohortGroup.REGISTRATION_GROUP: "Registration groups",
    CohortGroup.GENDER: "Gender",
    CohortGroup.NEEDS: "Special educational needs and language",
    CohortGroup.DISADVANTAGE: "Disadvantage",
    CohortGroup.CARE: "Social care and youth justice",
    CohortGroup.ETHNICITY: "Ethnicity",
    CohortGroup.FLAGS: "School and LA flags",
}

#: Groups whose cohorts partition the pupils (each pupil in exactly one; blank: "Not recorded").
PARTITIONS = frozenset(
    {
        CohortGroup.YEAR_GROUP,
        CohortGroup.REGISTRATION_GROUP,
        CohortGroup.GENDER,
        CohortGroup.ETHNICITY,
    }
)
NOT_RECORDED = "Not recorded"
GENDER_LABELS = {"F": "Female", "M": "Male"}

#: Social worker: any of these characteristics is Y.
SOCIAL_WORKER_KINDS = ("social_worker", "cin_plan", "cp_plan")


@dataclass(frozen=True)
class Characteristic:
    """A yes/no cohort: (kind, value) pairs of characteristics, any of which puts a pupil in."""

    key: str
    group: CohortGroup
    label: str
    when: tuple[tuple[str, str], ...]


#: The cohorts from characteristics, in the order of the table.
CHARACTERISTIC_COHORTS: tuple[Characteristic, ...] = (
    Characteristic("sen_support", CohortGroup.NEEDS, "SEN support", (("sen_status", "K"),)),
    Characteristic("ehcp", CohortGroup.NEEDS, "EHC plan", (("sen_status", "E"),)),
    Characteristic("eal", CohortGroup.NEEDS, "English as an additional language", (("eal", "Y"),)),
    Characteristic("fsm", CohortGroup.DISADVANTAGE, "Free school meals", (("fsm", "Y"),)),
    Characteristic(
        "pupil_premium", CohortGroup.DISADVANTAGE, "Pupil premium", (("pupil_premium", "Y"),)
    ),
    Characteristic(
        "social_worker",
        CohortGroup.CARE,
        "Has a social worker (CIN or CP plan)",
        tuple((kind, "Y") for kind in SOCIAL_WORKER_KINDS),
    ),
    Characteristic("looked_after", CohortGroup.CARE, "Looked after", (("looked_after", "Y"),)),
    Characteristic(
        "previously_looked_after",
        CohortGroup.CARE,
        "Previously looked after",
        (("previously_looked_after", "Y"),),
    ),
    Characteristic(
        "youth_offending",
        CohortGroup.CARE,
        "Known to youth offending services",
        (("youth_offending", "Y"),),
    ),
)
#: Every characteristic kind a cohort reads.
CHARACTERISTIC_KINDS = tuple(sorted({kind for c in CHARACTERISTIC_COHORTS for kind, _ in c.when}))


@dataclass(frozen=True)
class PupilFacts:
    """What puts one enrolment in its cohorts, on the day they are taken (the period's end)."""

    year_group: str = ""
    registration_group: str = ""
    gender: str = ""
    ethnicity: str = ""
    #: Characteristic kind -> the value in force.
    characteristics: Mapping[str, str] = field(default_factory=dict)
    #: The ids of the flags in force.
    flags: frozenset[int] = frozenset()


def has_characteristic(facts: PupilFacts, cohort: Characteristic) -> bool:
    return any(facts.characteristics.get(kind) == value for kind, value in cohort.when)


@dataclass(frozen=True)
class CohortKey:
    """One cohort: its group and its value within the group (a year group, a flag's id...)."""

    group: CohortGroup
    value: str

    def __str__(self) -> str:
        return f"{self.group.value}:{self.value}"


def cohorts_of(facts: PupilFacts) -> list[CohortKey]:
    """The cohorts one enrolment is in."""
    found = [
        CohortKey(CohortGroup.YEAR_GROUP, facts.year_group),
        CohortKey(CohortGroup.REGISTRATION_GROUP, facts.registration_group),
        CohortKey(CohortGroup.GENDER, facts.gender),
        CohortKey(CohortGroup.ETHNICITY, facts.ethnicity),
    ]
    found += [
        CohortKey(c.group, c.key) for c in CHARACTERISTIC_COHORTS if has_characteristic(facts, c)
    ]
    found += [CohortKey(CohortGroup.FLAGS, str(flag)) for flag in sorted(facts.flags)]
    return found


# -------------------------------------------------------------------------------------------------
# Figures of a group of enrolments, and the gap
# -------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Sums over a group of enrolments with a possible session, as `attend report schools`."""

    counts: Counts = field(default_factory=Counts)
    pupils: int = 0
    persistent: int = 0
    severe: int = 0

    def add(self, counts: Counts) -> None:
        if counts.possible == 0:
            return
        self.counts += counts
        self.pupils += 1
        self.persistent += is_persistent_absence(counts)
        self.severe += is_severe_absence(counts)

    def minus(self, other: Figures) -> Figures:
        """The figures of the pupils in self but not in other (other is a part of self)."""
        c, o = self.counts, other.counts
        return Figures(
            counts=Counts(
                present=c.present - o.present,
                aea=c.aea - o.aea,
                authorised=c.authorised - o.authorised,
                unauthorised=c.unauthorised - o.unauthorised,
                not_possible=c.not_possible - o.not_possible,
                late=c.late - o.late,
                penalty=c.penalty - o.penalty,
            ),
            pupils=self.pupils - other.pupils,
            persistent=self.persistent - other.persistent,
            severe=self.severe - other.severe,
        )

    @property
    def attendance_rate(self) -> Decimal | None:
        return percent_of(self.counts.attended, self.counts.possible)

    @property
    def absence_rate(self) -> Decimal | None:
        return percent_of(self.counts.absent, self.counts.possible)

    @property
    def authorised_rate(self) -> Decimal | None:
        return percent_of(self.counts.authorised, self.counts.possible)

    @property
    def persistent_rate(self) -> Decimal | None:
        return percent_of(self.persistent, self.pupils)

    @property
    def severe_rate(self) -> Decimal | None:
        return percent_of(self.severe, self.pupils)

    @property
    def absence_fraction(self) -> Fraction | None:
        c = self.counts
        return Fraction(c.absent, c.possible) if c.possible else None

    @property
    def persistent_fraction(self) -> Fraction | None:
        return Fraction(self.persistent, self.pupils) if self.pupils else None


def gap_points(cohort: Fraction | None, rest: Fraction | None, places: int = 2) -> Decimal | None:
    """Cohort minus the rest in percentage points, from the exact fractions, rounded half away
    from zero (so that a gap and its opposite show the same size); None without both."""
    if cohort is None or rest is None:
        return None
    exact = (cohort - rest) * 100
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        quantum, rounding=ROUND_HALF_UP
    )


# -------------------------------------------------------------------------------------------------
# Suppression for readers of aggregates only
# -------------------------------------------------------------------------------------------------


def cohorts_withheld(
    members: Mapping[CohortKey, frozenset[int]],
    everyone: frozenset[int],
    *,
    smallest: int = SMALLEST_SHOWN,
) -> set[CohortKey]:
    """The cohorts whose figures an aggregates-only reader must not see.

    Each cohort is shown beside "all other pupils", and the school's headline gives the total, so:

    1. a cohort of fewer than ``smallest`` pupils, or whose rest has fewer, is withheld;
    2. in a partition (year groups, registration groups, gender, ethnicity: the parts add up to
       everyone), the withheld parts must not be worked out from the others and the total: if
       only one part is withheld, or the withheld parts together have fewer than ``smallest``
       pupils, the smallest shown part is withheld too, until that is no longer so;
    3. a shown cohort inside another shown cohort (a registration group inside its year group;
       free school meals inside pupil premium) with fewer than ``smallest`` pupils between them
       would give those pupils away by subtraction: the smaller cohort is withheld.

    Steps 2 and 3 repeat until nothing changes. Zero counts as small (see domain.withheld_parts).
    """
    total = len(everyone)
    withheld = {
        key
        for key, pupils in members.items()
        if len(pupils) < smallest or total - len(pupils) < smallest
    }
    partitions: dict[CohortGroup, list[CohortKey]] = {}
    for key in members:
        if key.group in PARTITIONS:
            partitions.setdefault(key.group, []).append(key)
    changed = True
    while changed:
        changed = False
        for keys in partitions.values():
            while True:
                hidden = [k for k in keys if k in withheld]
                shown = [k for k in keys if k not in withheld]
                if not hidden or not shown:
                    break
                if len(hidden) > 1 and sum(len(members[k]) for k in hidden) >= smallest:
                    break
                withheld.add(min(shown, key=lambda k: (len(members[k]), str(k))))
                changed = True
        shown_keys = sorted(
            (k for k in members if k not in withheld), key=lambda k: (len(members[k]), str(k))
        )
        for i, small in enumerate(shown_keys):
            inner = members[small]
            for big in shown_keys[i + 1 :]:
                outer = members[big]
                if 0 < len(outer) - len(inner) < smallest and inner <= outer:
                    withheld.add(small)
                    changed = True
                    break
            if changed:
                break
    return withheld


# -------------------------------------------------------------------------------------------------
# Half terms (the trend of the LA's priorities)
# -------------------------------------------------------------------------------------------------

#: Half terms of an academic year by month, from 1 August: (label, first month). Schools'
#: holidays differ: each half term runs in whole weeks, from the first Monday on or after the
#: first of its month to the Sunday before the next one starts.
HALF_TERMS: tuple[tuple[str, int], ...] = (
    ("Autumn 1", 8),
    ("Autumn 2", 11),
    ("Spring 1", 1),
    ("Spring 2", 3),
    ("Summer 1", 5),
    ("Summer 2", 6),
)


@dataclass(frozen=True)
class HalfTerm:
    label: str
    start: dt.date
    end: dt.date
    #: Not cut short: whole weeks, Monday to Sunday.
    whole: bool = True


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def half_terms(year_start: dt.date, until: dt.date | None = None) -> list[HalfTerm]:
    """The half terms of the academic year starting on ``year_start`` (1 August), labelled with
    the year ("Autumn 1 2025/26"); with ``until``, those starting after it are left out and the
    last is cut at it (then not ``whole``)."""
    suffix = f"{year_start.year}/{str(year_start.year + 1)[2:]}"
    starts = [
        _monday_on_or_after(dt.date(year_start.year + (month < 8), month, 1))
        for _, month in HALF_TERMS
    ]
    starts.append(_monday_on_or_after(dt.date(year_start.year + 1, 8, 1)))
    out = []
    for i, (label, _) in enumerate(HALF_TERMS):
        start, end = starts[i], starts[i + 1] - dt.timedelta(days=1)
        if until is not None and start > until:
            break
        if until is None or end <= until:
            out.append(HalfTerm(f"{label} {suffix}", start, end))
        else:
            out.append(HalfTerm(f"{label} {suffix}", start, until, whole=False))
    return out


#: The DfE's main ethnicity codes (school census), for the labels of the ethnicity cohorts.
ETHNICITY_LABELS: dict[str, str] = {
    "WBRI": "White – British",
    "WIRI": "White – Irish",
    "WIRT": "Traveller of Irish heritage",
    "WROM": "Gypsy / Roma",
    "WOTH": "Any other White background",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black – African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}


def year_group_order(year_group: str) -> tuple[int, str]:
    """N1, N2, R, 1 ... 14, then anything else; blank (not recorded) last."""
    special = {"N1": -2, "N2": -1, "R": 0}
    if year_group in special:
        return (special[year_group], "")
    if year_group.isdigit():
        return (int(year_group), "")
    return (100 if year_group else 101, year_group)


# -------------------------------------------------------------------------------------------------
# The LA's priorities
# -------------------------------------------------------------------------------------------------

#: The measures (the values of monitoring.models.PriorityMeasure).
AUTHORISED_ABSENCE = "authorised_absence"
PERSISTENT_ABSENCE = "persistent_absence"
SPECIAL_SCHOOLS = "special_schools"
EHCP = "ehcp"
SOCIAL_WORKER = "social_worker"
FLAG = "flag"
YOUTH_OFFENDING = "youth_offending"
OVERALL_ABSENCE = "overall_absence"
MEASURES = (
    AUTHORISED_ABSENCE,
    PERSISTENT_ABSENCE,
    SPECIAL_SCHOOLS,
    EHCP,
    SOCIAL_WORKER,
    FLAG,
    YOUTH_OFFENDING,
    OVERALL_ABSENCE,
)


def in_measure(measure: str, flag_id: int | None, facts: PupilFacts, *, special: bool) -> bool:
    """Whether an enrolment counts towards a priority's measure (``special``: at a special
    school)."""
    if measure in (AUTHORISED_ABSENCE, PERSISTENT_ABSENCE, OVERALL_ABSENCE):
        return True
    if measure == SPECIAL_SCHOOLS:
        return special
    if measure == EHCP:
        return facts.characteristics.get("sen_status") == "E"
    if measure == SOCIAL_WORKER:
        return any(facts.characteristics.get(kind) == "Y" for kind in SOCIAL_WORKER_KINDS)
    if measure == YOUTH_OFFENDING:
        return facts.characteristics.get("youth_offending") == "Y"
    if measure == FLAG:
        return flag_id is not None and flag_id in facts.flags
    raise ValueError(f"Unknown measure {measure!r}")


def measure_rate(measure: str, figures: Figures) -> Decimal | None:
    """The rate a measure shows: authorised absence, persistent absence (of enrolments) or
    overall absence (of possible sessions) of the enrolments counted."""
    if measure == AUTHORISED_ABSENCE:
        return figures.authorised_rate
    if measure == PERSISTENT_ABSENCE:
        return figures.persistent_rate
    return figures.absence_rate


@dataclass(frozen=True)
class MeasureValue:
    """A priority's value: the rate and the pupils it covers; both None when withheld (fewer
    than 5 pupils), the rate also None when there is no possible session."""

    pupils: int | None
    rate: Decimal | None

    @property
    def withheld(self) -> bool:
        return self.pupils is None


def measure_value(
    measure: str,
    flag_id: int | None,
    counts: Mapping[int, Counts],
    facts: Mapping[int, PupilFacts],
    special: Mapping[int, bool],
    *,
    smallest: int = SMALLEST_SHOWN,
) -> MeasureValue:
    """A priority's value over the enrolments of ``counts`` (enrolment id -> exact counts), with
    ``facts`` and ``special`` (at a special school) per enrolment. Aggregates only: fewer than
    ``smallest`` pupils withhold the value."""
    figures = Figures()
    empty = PupilFacts()
    for pk, c in counts.items():
        if in_measure(measure, flag_id, facts.get(pk, empty), special=special.get(pk, False)):
            figures.add(c)
    if figures.pupils < smallest:
        return MeasureValue(None, None)
    return MeasureValue(figures.pupils, measure_rate(measure, figures))


#: Measures over every enrolment.
_EVERYONE = frozenset({AUTHORISED_ABSENCE, PERSISTENT_ABSENCE, OVERALL_ABSENCE})


def measure_values(
    measures: Sequence[tuple[str, int | None]],
    counts: Mapping[int, Counts],
    facts: Mapping[int, PupilFacts],
    special: Mapping[int, bool],
    *,
    smallest: int = SMALLEST_SHOWN,
) -> list[MeasureValue]:
    """:func:`measure_value` for several (measure, flag id) at once, the same figures in fewer
    passes: the enrolments of all are summed once, and a cohort's measure reads only the
    enrolments in ``facts`` (which may then hold only those with a characteristic or a flag)."""
    everyone: Figures | None = None
    out = []
    for measure, flag_id in measures:
        if measure in _EVERYONE:
            if everyone is None:
                everyone = Figures()
                for c in counts.values():
                    everyone.add(c)
            figures = everyone
        elif measure == SPECIAL_SCHOOLS:
            figures = Figures()
            for pk, c in counts.items():
                if special.get(pk, False):
                    figures.add(c)
        else:
            figures = Figures()
            for pk, f in facts.items():
                found = counts.get(pk)
                if found is not None and in_measure(measure, flag_id, f, special=False):
                    figures.add(found)
        if figures.pupils < smallest:
            out.append(MeasureValue(None, None))
        else:
            out.append(MeasureValue(figures.pupils, measure_rate(measure, figures)))
    return out
