"""Cohorts and their gaps on a school's dashboard and the governors' view.

Each cohort (attend.monitoring.cohorts_domain: year and registration groups, gender, SEN, FSM,
pupil premium, social care, youth offending, EAL, ethnicity and each flag) is compared with all
other pupils of the school, from the exact session counts of each enrolment that the dashboard
already read (``SchoolDashboard.enrolment_counts``): the cohort functions take a mapping
enrolment id -> Counts, whatever its source. Characteristics and flags are those in force on the
last day of the period. For readers of aggregates only the withheld cohorts come back without
figures (:func:`cohorts_domain.cohorts_withheld`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Q

from attend.accounts.models import User
from attend.accounts.roles import Permission
from attend.accounts.scope import scope_for
from attend.core.charts import Chart, Series
from attend.monitoring.cohorts_domain import (
    CHARACTERISTIC_COHORTS,
    CHARACTERISTIC_KINDS,
    ETHNICITY_LABELS,
    GENDER_LABELS,
    GROUP_LABELS,
    NOT_RECORDED,
    CohortGroup,
    CohortKey,
    Figures,
    PupilFacts,
    cohorts_of,
    cohorts_withheld,
    gap_points,
    value_in_force,
    year_group_order,
)
from attend.monitoring.selectors import Cohort, SchoolDashboard
from attend.organisations.models import School
from attend.pupils.models import Characteristic, Enrolment, Flag, PupilFlag
from attend.registers.domain import Counts, is_persistent_absence, is_severe_absence, percent_of

# -------------------------------------------------------------------------------------------------
# Reading the facts of each enrolment
# -------------------------------------------------------------------------------------------------


def characteristics_in_force(
    school_ids: list[int], on: dt.date, kinds: tuple[str, ...] = CHARACTERISTIC_KINDS
) -> dict[int, dict[str, str]]:
    """Per pupil enrolled at the schools: characteristic kind -> the value in force on ``on``."""
    history: dict[tuple[int, str], list[tuple[dt.date, str]]] = defaultdict(list)
    for pupil_id, kind, applies_from, value in (
        Characteristic.objects.filter(
            pupil__enrolments__school_id__in=school_ids, kind__in=kinds, applies_from__lte=on
        )
        .values_list("pupil_id", "kind", "applies_from", "value")
        .iterator(chunk_size=10000)
    ):
        history[(pupil_id, kind)].append((applies_from, value))
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for (pupil_id, kind), values in history.items():
        found = value_in_force(values, on)
        if found is not None:
            out[pupil_id][kind] = found
    return out


def flags_in_force(school_ids: list[int], on: dt.date) -> dict[tuple[int, int], set[int]]:
    """Per (pupil, school that set it): the flags in force on ``on``."""
    out: dict[tuple[int, int], set[int]] = defaultdict(set)
    for pupil_id, school_id, flag_id in (
        PupilFlag.objects.filter(school_id__in=school_ids, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .values_list("pupil_id", "school_id", "flag_id")
    ):
        out[(pupil_id, school_id)].add(flag_id)
    return out


def school_facts(school_id: int, on: dt.date) -> dict[int, PupilFacts]:
    """Per enrolment at the school: what puts it in its cohorts on ``on`` (three queries)."""
    characteristics = characteristics_in_force([school_id], on)
    flags = flags_in_force([school_id], on)
    facts = {}
    for pk, pupil_id, year_group, group, gender, ethnicity in (
        Enrolment.objects.filter(school_id=school_id)
        .values_list(
            "pk",
            "pupil_id",
            "year_group",
            "registration_group__name",
            "pupil__gender",
            "pupil__ethnicity",
        )
        .iterator(chunk_size=10000)
    ):
        facts[pk] = PupilFacts(
            year_group=year_group or "",
            registration_group=group or "",
            gender=gender or "",
            ethnicity=ethnicity or "",
            characteristics=characteristics.get(pupil_id, {}),
            flags=frozenset(flags.get((pupil_id, school_id), ())),
        )
    return facts


def school_flags(school: School) -> list[Flag]:
    """The flags a school's pupils may have: the school's own and its LA's."""
    return list(
        Flag.objects.filter(
            Q(school_id=school.pk) | Q(local_authority_id=school.local_authority_id)
        ).order_by("name", "pk")
    )


# -------------------------------------------------------------------------------------------------
# The table
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortRow:
    key: CohortKey
    label: str
    #: The cohort's pupils (withheld: "fewer than 5").
    pupils: Cohort
    #: All other pupils of the school (None when the cohort is withheld).
    rest_pupils: Cohort | None
    attendance_rate: Decimal | None
    absence_rate: Decimal | None
    persistent_rate: Decimal | None
    severe_rate: Decimal | None
    rest_absence_rate: Decimal | None
    rest_persistent_rate: Decimal | None
    #: Overall absence, cohort minus the rest, in percentage points.
    absence_gap: Decimal | None
    #: Persistent absence (of enrolments), cohort minus the rest, in percentage points.
    persistent_gap: Decimal | None

    @property
    def withheld(self) -> bool:
        return self.pupils.withheld

    @property
    def share(self) -> Decimal | None:
        return self.pupils.share


@dataclass(frozen=True)
class CohortSection:
    group: CohortGroup
    label: str
    rows: list[CohortRow]


@dataclass(frozen=True)
class CohortTable:
    sections: list[CohortSection]
    total: int
    suppressed: bool
    #: The reader may define the school's flags and flag pupils (a link to the flags pages).
    manage_flags: bool = False

    @property
    def rows(self) -> list[CohortRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def chart(self) -> Chart:
        """Overall absence of each cohort of needs, disadvantage, care and flags (and gender)
        against all other pupils: the gap is the difference of the two bars."""
        chosen = [
            row
            for section in self.sections
            if section.group not in (CohortGroup.YEAR_GROUP, CohortGroup.REGISTRATION_GROUP)
            and section.group != CohortGroup.ETHNICITY
            for row in section.rows
        ]
        return Chart(
            id="cohorts-chart",
            title="Overall absence: each cohort against all other pupils",
            summary=(
                "For each cohort, its overall absence rate beside that of all other pupils of "
                "the school; the gap is the difference. Withheld cohorts have no bars. "
                "SEN K: SEN support; EHCP: EHC plan; EAL: English as an additional language; "
                "FSM: free school meals; PP: pupil premium; SW: has a social worker; "
                "LAC: looked after; PLAC: previously looked after; YOS: known to youth "
                "offending services."
            ),
            categories=[_short(row) for row in chosen],
            series=[
                Series("Cohort", [row.absence_rate for row in chosen]),
                Series("All other pupils", [row.rest_absence_rate for row in chosen]),
            ],
            category_label="Cohort",
        )


SHORT_LABELS = {
    "sen_support": "SEN K",
    "ehcp": "EHCP",
    "eal": "EAL",
    "fsm": "FSM",
    "pupil_premium": "PP",
    "social_worker": "SW",
    "looked_after": "LAC",
    "previously_looked_after": "PLAC",
    "youth_offending": "YOS",
}


def _short(row: CohortRow) -> str:
    """The label of a cohort under the chart's axis: short (the summary spells them out)."""
    if row.key.group == CohortGroup.GENDER:
        return row.label
    if row.key.group == CohortGroup.FLAGS:
        return row.label if len(row.label) <= 12 else row.label[:11] + "…"
    return SHORT_LABELS.get(row.key.value, row.label)


def _label(key: CohortKey, flags: Mapping[str, str]) -> str:
    value = key.value
    if key.group == CohortGroup.FLAGS:
        return flags.get(value, value)
    if key.group in (CohortGroup.YEAR_GROUP, CohortGroup.REGISTRATION_GROUP):
        if not value:
            return NOT_RECORDED
        return f"Year {value}" if key.group == CohortGroup.YEAR_GROUP and value.isdigit() else value
    if key.group == CohortGroup.GENDER:
        return GENDER_LABELS.get(value, value or NOT_RECORDED)
    if key.group == CohortGroup.ETHNICITY:
        if not value:
            return NOT_RECORDED
        return f"{ETHNICITY_LABELS[value]} ({value})" if value in ETHNICITY_LABELS else value
    return next(c.label for c in CHARACTERISTIC_COHORTS if c.key == value)


def _order(key: CohortKey) -> tuple[object, ...]:
    value = key.value
    if key.group == CohortGroup.YEAR_GROUP:
        return year_group_order(value)
    if key.group in (CohortGroup.REGISTRATION_GROUP, CohortGroup.GENDER, CohortGroup.ETHNICITY):
        return (not value, value.casefold())
    if key.group == CohortGroup.FLAGS:
        return (0, "")  # already in the order of the flags (by name)
    return ([c.key for c in CHARACTERISTIC_COHORTS].index(value), "")


def cohort_table(
    counts: Mapping[int, Counts],
    facts: Mapping[int, PupilFacts],
    flags: list[Flag],
    *,
    suppress: bool,
) -> CohortTable:
    """Every cohort against all other pupils, from the exact counts of each enrolment.

    Only enrolments with a possible session count (as `attend report pupils`). Characteristic
    cohorts and flags appear even when empty (they are the cohorts a school asks about); the
    partitions show the values found.
    """
    everyone_figures = Figures()
    members: dict[CohortKey, set[int]] = defaultdict(set)
    for known in CHARACTERISTIC_COHORTS:
        members[CohortKey(known.group, known.key)] = set()
    for flag in flags:
        members[CohortKey(CohortGroup.FLAGS, str(flag.pk))] = set()
    figures: dict[CohortKey, Figures] = defaultdict(Figures)
    empty = PupilFacts()
    everyone: set[int] = set()
    persistent: set[int] = set()
    severe: set[int] = set()
    for pk, c in counts.items():
        if c.possible == 0:
            continue
        everyone.add(pk)
        if is_persistent_absence(c):
            persistent.add(pk)
        if is_severe_absence(c):
            severe.add(pk)
        everyone_figures.add(c)
        for key in cohorts_of(facts.get(pk, empty)):
            if key.group == CohortGroup.FLAGS and key not in members:
                continue  # a flag of another LA or school: not this school's
            members[key].add(pk)
            figures[key].add(c)
    frozen = {key: frozenset(pks) for key, pks in members.items()}
    withheld: set[CohortKey] = set()
    withheld_pa: set[CohortKey] = set()
    withheld_sa: set[CohortKey] = set()
    if suppress:
        withheld = cohorts_withheld(frozen, frozenset(everyone))
        # The pupils in persistent (severe) absence and the others are counts of pupils too:
        # a rate that would give away fewer than 5 of either is withheld the same way.
        for flagged, into in ((persistent, withheld_pa), (severe, withheld_sa)):
            inside = frozenset(flagged)
            outside = frozenset(everyone) - inside
            into |= cohorts_withheld({k: m & inside for k, m in frozen.items()}, inside)
            into |= cohorts_withheld({k: m & outside for k, m in frozen.items()}, outside)
    total = len(everyone)
    flag_names = {str(f.pk): f.name for f in flags}
    sections = []
    for group in CohortGroup:
        keys = sorted((k for k in members if k.group == group), key=_order)
        if group == CohortGroup.FLAGS:
            order = [str(f.pk) for f in flags]
            keys = sorted(keys, key=lambda k: order.index(k.value))
        rows = []
        for key in keys:
            mine = figures[key] if key in figures else Figures()
            rest = everyone_figures.minus(mine)
            if key in withheld:
                rows.append(
                    CohortRow(
                        key=key,
                        label=_label(key, flag_names),
                        pupils=Cohort(None, None),
                        rest_pupils=None,
                        attendance_rate=None,
                        absence_rate=None,
                        persistent_rate=None,
                        severe_rate=None,
                        rest_absence_rate=None,
                        rest_persistent_rate=None,
                        absence_gap=None,
                        persistent_gap=None,
                    )
                )
                continue
            hide_pa = key in withheld_pa
            rows.append(
                CohortRow(
                    key=key,
                    label=_label(key, flag_names),
                    pupils=Cohort(mine.pupils, percent_of(mine.pupils, total)),
                    rest_pupils=Cohort(rest.pupils, percent_of(rest.pupils, total)),
                    attendance_rate=mine.attendance_rate,
                    absence_rate=mine.absence_rate,
                    persistent_rate=None if hide_pa else mine.persistent_rate,
                    severe_rate=None if key in withheld_sa else mine.severe_rate,
                    rest_absence_rate=rest.absence_rate,
                    rest_persistent_rate=None if hide_pa else rest.persistent_rate,
                    absence_gap=gap_points(mine.absence_fraction, rest.absence_fraction),
                    persistent_gap=(
                        None
                        if hide_pa
                        else gap_points(mine.persistent_fraction, rest.persistent_fraction)
                    ),
                )
            )
        if rows:
            sections.append(CohortSection(group=group, label=GROUP_LABELS[group], rows=rows))
    return CohortTable(sections=sections, total=total, suppressed=suppress)


def cohort_table_for(dashboard: SchoolDashboard, actor: User | None = None) -> CohortTable:
    """The cohorts of a dashboard (already scoped by ``school_dashboard_for``), from its
    per-enrolment counts; characteristics and flags in force on the period's last day."""
    facts = school_facts(dashboard.school.pk, dashboard.period.end)
    table = cohort_table(
        dashboard.enrolment_counts,
        facts,
        school_flags(dashboard.school),
        suppress=dashboard.suppressed,
    )
    if actor is not None and not dashboard.suppressed:
        scope = scope_for(actor)
        if scope.can(Permission.FLAG_MANAGE, dashboard.school.pk):
            return replace(table, manage_flags=True)
    return table


#: The columns of the cohorts export.
EXPORT_HEADER = [
    "kind",
    "cohort",
    "pupils",
    "share_of_pupils",
    "attendance_rate",
    "overall_absence_rate",
    "persistent_absence_rate",
    "severe_absence_rate",
    "other_pupils",
    "other_pupils_overall_absence_rate",
    "other_pupils_persistent_absence_rate",
    "overall_absence_gap_points",
    "persistent_absence_gap_points",
]


def export_rows(table: CohortTable) -> list[tuple[object, ...]]:
    return [
        (
            section.label,
            row.label,
            row.pupils,
            row.pupils.share,
            row.attendance_rate,
            row.absence_rate,
            row.persistent_rate,
            row.severe_rate,
            row.rest_pupils,
            row.rest_absence_rate,
            row.rest_persistent_rate,
            row.absence_gap,
            row.persistent_gap,
        )
        for section in table.sections
        for row in section.rows
    ]
