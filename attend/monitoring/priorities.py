"""The LA's attendance priorities: their defaults, their values on the LA overview with a trend by
half term, and their editing by LA administrators.

A priority's value is a rate over the enrolments of the actor's schools in the LA (aggregates
only, withheld under 5 pupils), computed by :func:`cohorts_domain.measure_value` from a mapping
enrolment id -> exact Counts, whatever its source (here `registers.reports.enrolment_counts`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from attend.accounts.models import User
from attend.accounts.roles import ROLE_LEVEL, Level, Permission, role_has
from attend.audit.services import audit_record
from attend.core.charts import Chart, Series
from attend.core.exceptions import NotFoundOrForbidden
from attend.core.exports import Table
from attend.monitoring.cohorts_domain import (
    HalfTerm,
    MeasureValue,
    PupilFacts,
    flag_in_force,
    half_terms,
    measure_values,
    value_in_force,
)
from attend.monitoring.models import Priority, PriorityMeasure
from attend.monitoring.selectors import FEWER_THAN_5, overview_school_ids
from attend.organisations.models import LocalAuthority, Phase, School
from attend.pupils.models import Characteristic, Enrolment, Flag, PupilFlag
from attend.registers.domain import Counts, academic_year_start
from attend.registers.models import WeekSummary
from attend.registers.reports import BASE_COLUMNS, Period, enrolment_counts

ANXIETY_FLAG = "Anxiety or school phobia"
#: The seven priorities of the Lincolnshire strategy (seeds 001), the defaults of every LA.
DEFAULT_PRIORITIES: tuple[tuple[str, str], ...] = (
    ("The level of authorised absence", PriorityMeasure.AUTHORISED_ABSENCE),
    ("The level of persistent absence", PriorityMeasure.PERSISTENT_ABSENCE),
    ("Absence rates in special schools", PriorityMeasure.SPECIAL_SCHOOLS),
    ("Absence rates for children with Education Health Care Plans", PriorityMeasure.EHCP),
    ("Absence rates of children with a social worker", PriorityMeasure.SOCIAL_WORKER),
    ("Absence rates for children with anxiety or school phobia", PriorityMeasure.FLAG),
    (
        "Absence rates of children known to the youth offending service",
        PriorityMeasure.YOUTH_OFFENDING,
    ),
)
_KINDS = ("sen_status", "social_worker", "cin_plan", "cp_plan", "youth_offending")

CountsSource = Callable[[Period, Collection[int]], Mapping[int, Counts]]
WeeksSource = Callable[[Sequence["HalfTerm"], Collection[int]], Sequence[Mapping[int, Counts]]]


def la_defaults_ensure(la: LocalAuthority) -> None:
    """Give an LA its anxiety flag and, when it has no priorities yet, the seven defaults.
    Idempotent; called when an LA is created (schools import, demo) and by the migrations."""
    anxiety, _ = Flag.objects.get_or_create(local_authority=la, name=ANXIETY_FLAG)
    if Priority.objects.filter(local_authority=la).exists():
        return
    Priority.objects.bulk_create(
        Priority(
            local_authority=la,
            order=order,
            title=title,
            measure=measure,
            flag=anxiety if measure == PriorityMeasure.FLAG else None,
        )
        for order, (title, measure) in enumerate(DEFAULT_PRIORITIES, start=1)
    )


def exact_counts(period: Period, school_ids: Collection[int]) -> Mapping[int, Counts]:
    """Per enrolment: the exact counts of `attend report` for the period."""
    width = len(BASE_COLUMNS)
    return {
        pk: Counts(**dict(zip(BASE_COLUMNS, values[:width], strict=True)))
        for pk, values in enrolment_counts(period, school_ids=school_ids).items()
    }


def whole_weeks_counts(
    terms: Sequence[HalfTerm], school_ids: Collection[int]
) -> list[dict[int, Counts]]:
    """Per half term (each whole weeks, Monday to Sunday), per enrolment: the counts from the
    weekly summary, in one query (the same figures as `attend report` for those dates)."""
    out: list[dict[int, Counts]] = [{} for _ in terms]
    if not terms or not school_ids:
        return out
    cases = " ".join(f"WHEN week >= %s AND week <= %s THEN {i}" for i in range(len(terms)))
    ids = list(school_ids)
    params: list[Any] = [v for t in terms for v in (t.start.isoformat(), t.end.isoformat())]
    columns = ", ".join(f"SUM({c})" for c in BASE_COLUMNS)
    # Table and column names are ours; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT enrolment_id, CASE {cases} ELSE -1 END, {columns} "  # noqa: S608
            f"FROM {WeekSummary._meta.db_table} "
            f"WHERE week >= %s AND week <= %s AND school_id IN ({', '.join(['%s'] * len(ids))}) "
            "GROUP BY 1, 2",
            [
                *params,
                min(t.start for t in terms).isoformat(),
                max(t.end for t in terms).isoformat(),
                *ids,
            ],
        )
        for enrolment_id, bucket, *values in cursor.fetchall():
            if bucket is None or int(bucket) < 0:
                continue
            out[int(bucket)][enrolment_id] = Counts(
                **dict(zip(BASE_COLUMNS, (int(v or 0) for v in values), strict=True))
            )
    return out


# -------------------------------------------------------------------------------------------------
# Values and trends on the LA overview
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    label: str
    start: dt.date
    end: dt.date
    value: MeasureValue


@dataclass(frozen=True)
class PriorityRow:
    priority_id: int
    title: str
    measure_label: str
    target: Decimal | None
    value: MeasureValue
    this_year: list[TrendPoint]
    last_year: list[TrendPoint]

    @property
    def chart(self) -> Chart:
        labels = [p.label.rsplit(" ", 1)[0] for p in self.last_year]
        this = {p.label.rsplit(" ", 1)[0]: p.value.rate for p in self.this_year}
        return Chart(
            id=f"priority-{self.priority_id}-chart",
            title=self.title,
            summary=(
                f"{self.measure_label} by half term, this academic year so far against last "
                "year; half terms with fewer than 5 pupils have no point."
            ),
            categories=labels,
            series=[
                Series("This year", [this.get(label) for label in labels]),
                Series("Last year", [p.value.rate for p in self.last_year]),
            ],
            kind="line",
            category_label="Half term",
        )


@dataclass(frozen=True)
class LAPriorities:
    la_code: str
    la_name: str
    rows: list[PriorityRow]
    schools: int
    editable: bool


class _Facts:
    """The enrolments of some schools with their characteristics' and flags' histories, read
    once (three queries) and then taken on any day in Python."""

    def __init__(self, school_ids: list[int], until: dt.date) -> None:
        self.history: dict[tuple[int, str], list[tuple[dt.date, str]]] = defaultdict(list)
        for pupil_id, kind, applies_from, value in (
            Characteristic.objects.filter(
                pupil__enrolments__school_id__in=school_ids,
                kind__in=_KINDS,
                applies_from__lte=until,
            )
            .values_list("pupil_id", "kind", "applies_from", "value")
            .iterator(chunk_size=10000)
        ):
            self.history[(pupil_id, kind)].append((applies_from, value))
        # Only a pupil who ever had a value a measure looks for (Y, or E for SEN) can be in one.
        self.pupils = {
            pupil_id
            for (pupil_id, _), values in self.history.items()
            if any(value in ("Y", "E") for _, value in values)
        }
        self.flags: dict[tuple[int, int], list[tuple[int, dt.date, dt.date | None]]] = defaultdict(
            list
        )
        for pupil_id, school_id, flag_id, start, end in PupilFlag.objects.filter(
            school_id__in=school_ids, start_date__lte=until
        ).values_list("pupil_id", "school_id", "flag_id", "start_date", "end_date"):
            self.flags[(pupil_id, school_id)].append((flag_id, start, end))
        self.enrolments = list(
            Enrolment.objects.filter(school_id__in=school_ids)
            .values_list("pk", "pupil_id", "school_id", "school__phase")
            .iterator(chunk_size=10000)
        )
        self.special = {pk: phase == Phase.SPECIAL for pk, _, _, phase in self.enrolments}

    def on(self, day: dt.date) -> dict[int, PupilFacts]:
        """The facts on ``day`` of the enrolments with a characteristic or a flag that some
        measure reads (the others are in no cohort)."""
        facts = {}
        for pk, pupil_id, school_id, _ in self.enrolments:
            if pupil_id not in self.pupils and (pupil_id, school_id) not in self.flags:
                continue
            characteristics = {}
            for kind in _KINDS:
                history = self.history.get((pupil_id, kind))
                if history:
                    value = value_in_force(history, day)
                    if value is not None:
                        characteristics[kind] = value
            flags = frozenset(
                flag
                for flag, start, end in self.flags.get((pupil_id, school_id), ())
                if flag_in_force(start, end, day)
            )
            if characteristics or flags:
                facts[pk] = PupilFacts(characteristics=characteristics, flags=flags)
        return facts


def _values(
    priorities: list[Priority], counts: Mapping[int, Counts], on: dt.date, known: _Facts
) -> list[MeasureValue]:
    return measure_values(
        [(p.measure, p.flag_id) for p in priorities], counts, known.on(on), known.special
    )


def reads_priorities(actor: User) -> bool:
    """Whether the actor reads the priorities of some LA (an LA-level reader of figures)."""
    return bool(_la_ids(actor)[0])


def _la_ids(actor: User) -> tuple[list[int], set[int]]:
    """The LAs of the actor's LA-level memberships that see schools' figures, and those of them
    whose priorities the actor manages."""
    readers: set[int] = set()
    managers: set[int] = set()
    for role, la_id in actor.memberships.filter(local_authority__isnull=False).values_list(
        "role", "local_authority_id"
    ):
        if ROLE_LEVEL.get(role) != Level.LOCAL_AUTHORITY:
            continue
        if role_has(role, Permission.SCHOOL_AGGREGATES_VIEW) or role_has(
            role, Permission.PUPIL_VIEW_SCHOOL
        ):
            readers.add(la_id)
        if role_has(role, Permission.LA_SETTINGS_MANAGE):
            managers.add(la_id)
    return sorted(readers), managers


def la_priorities_for(
    actor: User,
    period: Period,
    *,
    source: CountsSource = exact_counts,
    weeks: WeeksSource = whole_weeks_counts,
) -> list[LAPriorities]:
    """The active priorities of each LA where the actor is an LA reader, with their value for the
    period and for each half term of this academic year so far and of last year, across the
    actor's schools of that LA. The number of queries depends on the LAs, not the schools.

    ``source`` gives the exact counts of a period (the period, and the half term it cuts);
    ``weeks`` those of whole half terms in one go: both map enrolment id -> Counts, so a
    maintained year summary can take their place."""
    school_ids = overview_school_ids(actor)
    if school_ids is None:
        raise NotFoundOrForbidden
    la_ids, editable = _la_ids(actor)
    if not la_ids:
        return []
    by_la: dict[int, list[int]] = {la_id: [] for la_id in la_ids}
    las: dict[int, tuple[str, str]] = {}
    for pk, la_id, code, name in School.objects.filter(
        pk__in=school_ids, local_authority_id__in=la_ids
    ).values_list("pk", "local_authority_id", "local_authority__code", "local_authority__name"):
        by_la[la_id].append(pk)
        las[la_id] = (code, name)
    priorities: dict[int, list[Priority]] = {la_id: [] for la_id in la_ids}
    for priority in Priority.objects.filter(local_authority_id__in=la_ids, active=True).order_by(
        "order", "pk"
    ):
        priorities[priority.local_authority_id].append(priority)
    year = academic_year_start(period.end)
    this_terms = half_terms(year, until=period.end)
    last_terms = half_terms(dt.date(year.year - 1, 8, 1))
    out = []
    for la_id in la_ids:
        chosen = priorities[la_id]
        schools = sorted(by_la[la_id])
        if not schools:
            continue
        code, name = las[la_id]
        if not chosen:
            out.append(LAPriorities(code, name, [], len(schools), la_id in editable))
            continue
        known = _Facts(schools, period.end)
        current = _values(chosen, source(period, schools), period.end, known)
        terms = [*this_terms, *last_terms]
        whole = [t for t in terms if t.whole]
        by_term = dict(zip(whole, weeks(whole, schools), strict=True))
        trends: list[list[TrendPoint]] = [[] for _ in chosen]
        last: list[list[TrendPoint]] = [[] for _ in chosen]
        for term in terms:
            counts = by_term.get(term) or (
                {} if term.whole else source(Period(term.start, term.end), schools)
            )
            into = trends if term in this_terms else last
            for i, value in enumerate(_values(chosen, counts, term.end, known)):
                into[i].append(TrendPoint(term.label, term.start, term.end, value))
        rows = [
            PriorityRow(
                priority_id=p.pk,
                title=p.title,
                measure_label=PriorityMeasure(p.measure).label,
                target=p.target,
                value=current[i],
                this_year=trends[i],
                last_year=last[i],
            )
            for i, p in enumerate(chosen)
        ]
        out.append(LAPriorities(code, name, rows, len(schools), la_id in editable))
    return out


# -------------------------------------------------------------------------------------------------
# Editing (LA administrators)
# -------------------------------------------------------------------------------------------------


def priorities_la_for(actor: User) -> LocalAuthority:
    """The LA whose priorities the actor manages (LA_SETTINGS_MANAGE at LA level), or 404."""
    la_id = (
        actor.memberships.filter(local_authority__isnull=False, role__in=_managers())
        .order_by("local_authority_id")
        .values_list("local_authority_id", flat=True)
        .first()
    )
    if la_id is None:
        raise NotFoundOrForbidden
    return LocalAuthority.objects.get(pk=la_id)


def _managers() -> list[str]:
    return [
        role
        for role, level in ROLE_LEVEL.items()
        if level == Level.LOCAL_AUTHORITY and role_has(role, Permission.LA_SETTINGS_MANAGE)
    ]


def priority_list_for(actor: User) -> tuple[LocalAuthority, list[Priority], list[Flag]]:
    la = priorities_la_for(actor)
    return (
        la,
        list(Priority.objects.filter(local_authority=la).select_related("flag")),
        list(Flag.objects.filter(local_authority=la).order_by("name")),
    )


def priority_update(
    *,
    actor: User,
    priority_id: int,
    title: str,
    order: int,
    target: Decimal | None,
    active: bool,
) -> Priority:
    """Change a priority's title, order, target and whether it is shown (one transaction,
    audited)."""
    la = priorities_la_for(actor)
    with transaction.atomic():
        priority = (
            Priority.objects.select_for_update().filter(pk=priority_id, local_authority=la).first()
        )
        if priority is None:
            raise NotFoundOrForbidden
        before = {
            "title": priority.title,
            "order": priority.order,
            "target": str(priority.target) if priority.target is not None else None,
            "active": priority.active,
        }
        priority.title, priority.order, priority.target, priority.active = (
            title,
            order,
            target,
            active,
        )
        priority.save(update_fields=["title", "order", "target", "active"])
        audit_record(
            actor=actor,
            action="priority.update",
            obj_type="priority",
            obj_id=priority.pk,
            before=before,
            after={
                "title": title,
                "order": order,
                "target": str(target) if target is not None else None,
                "active": active,
            },
            summary=f"LA {la.code} priority {priority.pk} updated",
        )
    return priority


def export_table(found: list[LAPriorities], period: Period) -> Table:
    """The priorities of the overview, one row per priority and half term (and the period)."""
    rows: list[tuple[object, ...]] = []
    for la in found:
        for row in la.rows:
            points = [
                ("period", period.start, period.end, row.value),
                *((p.label, p.start, p.end, p.value) for p in row.this_year),
                *((p.label, p.start, p.end, p.value) for p in row.last_year),
            ]
            for label, start, end, value in points:
                rows.append(
                    (
                        la.la_code,
                        row.title,
                        row.measure_label,
                        label,
                        start,
                        end,
                        FEWER_THAN_5 if value.withheld else value.pupils,
                        value.rate,
                        row.target,
                    )
                )
    return Table(
        filename=f"la-priorities-{period.start.isoformat()}-to-{period.end.isoformat()}",
        title="LA priorities",
        header=["la_code", "priority", "measure", "when", "from", "to", "pupils", "rate", "target"],
        rows=rows,
    )


# -------------------------------------------------------------------------------------------------
# One school's figures on its LA's priorities (the TSM pack)
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolPriority:
    title: str
    measure_label: str
    target: Decimal | None
    #: The school's value (withheld under 5 pupils, as on the overview).
    value: MeasureValue


def school_priorities(
    school: School, period: Period, counts: Mapping[int, Counts]
) -> list[SchoolPriority]:
    """The school's own value on each active priority of its LA, from the per-enrolment counts
    of its dashboard (already scoped by the caller). Four queries, whatever the school's size."""
    chosen = list(
        Priority.objects.filter(local_authority_id=school.local_authority_id, active=True).order_by(
            "order", "pk"
        )
    )
    if not chosen:
        return []
    values = _values(chosen, counts, period.end, _Facts([school.pk], period.end))
    return [
        SchoolPriority(
            title=p.title,
            measure_label=PriorityMeasure(p.measure).label,
            target=p.target,
            value=value,
        )
        for p, value in zip(chosen, values, strict=True)
    ]
