"""The pupil page: one enrolment's summary for the year to date, its trend by week, the marks
grid, characteristics, contacts and enrolment details.

The page is a list of :class:`Section` (a template and a function that gives its context), so a
later issue (cases, leave requests, follow-up) adds its section by appending to
:data:`SECTIONS` from its app's ``ready()`` or module, without touching this file's callers::

    from attend.monitoring.pupil_page import SECTIONS, Section
    SECTIONS.append(Section("cases", "Support cases", "support/pupil_cases.html", cases_context))

Every read starts from the actor's scope (``enrolment_get_for``): a pupil out of scope is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from attend.accounts.models import User
from attend.accounts.roles import Permission
from attend.accounts.scope import scope_for
from attend.core.charts import Chart, Series
from attend.monitoring.selectors import CATEGORY_LABELS
from attend.pupils.models import (
    SEN_STATUSES,
    Characteristic,
    CharacteristicKind,
    Contact,
    Enrolment,
)
from attend.registers.domain import (
    AttendanceCategory,
    Counts,
    attendance_category,
    is_persistent_absence,
    is_severe_absence,
    percent_of,
)
from attend.registers.models import Mark, WeekSummary
from attend.registers.reports import Period, any_marks_between
from attend.registers.selectors import enrolment_get_for

_SUMS = ("present", "aea", "authorised", "unauthorised", "not_possible", "late", "penalty")


@dataclass(frozen=True)
class Summary:
    period: Period
    counts: Counts
    category: AttendanceCategory | None

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
    def unauthorised_rate(self) -> Decimal | None:
        return percent_of(self.counts.unauthorised, self.counts.possible)

    @property
    def persistent_absence(self) -> bool:
        return is_persistent_absence(self.counts)

    @property
    def severe_absence(self) -> bool:
        return is_severe_absence(self.counts)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category] if self.category else "No possible sessions yet"


def enrolment_summary(enrolment: Enrolment, period: Period) -> Summary:
    """One enrolment's counts in the period: whole weeks from WeekSummary, the part-weeks at the
    ends from the marks (the same split as `attend report pupils`)."""
    weeks, parts = period.split(any_marks_between)
    counts = Counts()
    if weeks is not None:
        sums = WeekSummary.objects.filter(
            enrolment=enrolment, week__gte=weeks[0], week__lte=weeks[1]
        ).aggregate(**{name: Sum(name) for name in _SUMS})
        counts += Counts(**{name: int(sums[name] or 0) for name in _SUMS})
    for first, last in parts:
        codes = Mark.objects.filter(
            enrolment=enrolment, date__gte=first, date__lte=last
        ).values_list("code", flat=True)
        counts += Counts.of_codes(list(codes))
    bands = enrolment.school.local_authority.bands
    return Summary(period, counts, attendance_category(counts, bands))


@dataclass(frozen=True)
class TrendWeek:
    week: dt.date
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    late: int

    @property
    def attendance_rate(self) -> Decimal | None:
        return percent_of(self.attended, self.possible)


def enrolment_trend(enrolment: Enrolment, period: Period) -> list[TrendWeek]:
    """Attendance by week for the whole weeks of the period, from WeekSummary."""
    weeks, _ = period.split(any_marks_between)
    if weeks is None:
        return []
    rows = []
    for w in (
        WeekSummary.objects.filter(enrolment=enrolment, week__gte=weeks[0], week__lte=weeks[1])
        .order_by("week")
        .values("week", "present", "aea", "authorised", "unauthorised", "late")
    ):
        attended = w["present"] + w["aea"]
        possible = attended + w["authorised"] + w["unauthorised"]
        if possible == 0:
            continue
        rows.append(
            TrendWeek(w["week"], possible, attended, w["authorised"], w["unauthorised"], w["late"])
        )
    return rows


def trend_chart(weeks: list[TrendWeek]) -> Chart:
    return Chart(
        id="pupil-trend-chart",
        title="Attendance by week",
        summary="The pupil's attendance rate in each whole school week of the year so far.",
        categories=[w.week.strftime("%-d %b") for w in weeks],
        series=[Series("Attendance", [w.attendance_rate for w in weeks])],
        kind="line",
        category_label="Week beginning",
        maximum=Decimal(100),
    )


@dataclass(frozen=True)
class CharacteristicLine:
    kind: str
    label: str
    value: str
    applies_from: dt.date
    in_force: bool


def _value_label(kind: str, value: str) -> str:
    if kind == CharacteristicKind.SEN_STATUS:
        return SEN_STATUSES.get(value, value)
    return {"Y": "Yes", "N": "No"}.get(value, value)


def characteristics(
    enrolment: Enrolment, today: dt.date
) -> tuple[list[CharacteristicLine], list[CharacteristicLine]]:
    """(in force today, the whole history newest first). The value in force is the latest one
    applying from today or before; a later dated one is shown in the history as not yet in force."""
    labels = dict(CharacteristicKind.choices)
    rows = list(
        Characteristic.objects.filter(pupil_id=enrolment.pupil_id).order_by("kind", "applies_from")
    )
    current: dict[str, Characteristic] = {}
    for row in rows:
        if row.applies_from <= today:
            current[row.kind] = row
    in_force_ids = {c.pk for c in current.values()}
    order = list(labels)

    def line(row: Characteristic) -> CharacteristicLine:
        return CharacteristicLine(
            row.kind,
            labels.get(row.kind, row.kind),
            _value_label(row.kind, row.value),
            row.applies_from,
            row.pk in in_force_ids,
        )

    now = sorted(
        (line(c) for c in current.values()),
        key=lambda c: order.index(c.kind) if c.kind in order else len(order),
    )
    history = sorted((line(r) for r in rows), key=lambda c: (c.applies_from, c.label), reverse=True)
    return now, history


def contacts_for(actor: User, enrolment: Enrolment) -> list[Contact] | None:
    """The pupil's contacts, by priority, for school staff and LA roles that see the pupil; None
    for a parent or carer (another contact's details are not theirs to see)."""
    scope = scope_for(actor)
    staff = scope.can(Permission.PUPIL_VIEW_SCHOOL, enrolment.school_id) or scope.can(
        Permission.PUPIL_VIEW_OWN_GROUPS, enrolment.school_id
    )
    own_children = (
        enrolment.pupil_id in scope.pupil_ids
        and actor.contacts.filter(
            pupil_id=enrolment.pupil_id, parental_responsibility=True
        ).exists()
    )
    if own_children and not staff:
        return None
    return list(Contact.objects.filter(pupil_id=enrolment.pupil_id).order_by("priority", "surname"))


# -------------------------------------------------------------------------------------------------
# The sections of the page
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageContext:
    actor: User
    enrolment: Enrolment
    as_of: dt.date
    period: Period


@dataclass(frozen=True)
class Section:
    """One section of the pupil page: an id (the anchor), a heading, a template and a function
    that gives the template's context (None to leave the section out for this reader)."""

    id: str
    heading: str
    template: str
    context: Callable[[PageContext], dict[str, Any] | None]


@dataclass(frozen=True)
class RenderedSection:
    id: str
    heading: str
    template: str
    context: dict[str, Any]


def _summary(page: PageContext) -> dict[str, Any]:
    return {"summary": enrolment_summary(page.enrolment, page.period)}


def _trend(page: PageContext) -> dict[str, Any]:
    weeks = enrolment_trend(page.enrolment, page.period)
    return {"weeks": weeks, "chart": trend_chart(weeks)}


def _marks(page: PageContext) -> dict[str, Any]:
    from attend.registers.views import marks_grid  # the register's own grid

    end = min(page.as_of, page.enrolment.leaving_date or page.as_of)
    start = end - dt.timedelta(days=end.weekday()) - dt.timedelta(weeks=3)
    return marks_grid(page.enrolment, start, end)


def _characteristics(page: PageContext) -> dict[str, Any]:
    now, history = characteristics(page.enrolment, page.as_of)
    return {"in_force": now, "history": history}


def _contacts(page: PageContext) -> dict[str, Any] | None:
    found = contacts_for(page.actor, page.enrolment)
    return None if found is None else {"contacts": found}


def _enrolment(page: PageContext) -> dict[str, Any]:
    return {"enrolment": page.enrolment}


#: The sections, in page order. Later issues append theirs.
SECTIONS: list[Section] = [
    Section("summary", "Year to date", "monitoring/pupil/summary.html", _summary),
    Section("trend", "Attendance by week", "monitoring/pupil/trend.html", _trend),
    Section("marks", "Marks", "monitoring/pupil/marks.html", _marks),
    Section(
        "characteristics",
        "Characteristics",
        "monitoring/pupil/characteristics.html",
        _characteristics,
    ),
    Section("contacts", "Contacts", "monitoring/pupil/contacts.html", _contacts),
    Section("enrolment", "Enrolment", "monitoring/pupil/enrolment.html", _enrolment),
]


@dataclass(frozen=True)
class PupilPage:
    enrolment: Enrolment
    as_of: dt.date
    period: Period
    sections: list[RenderedSection]


def pupil_page_for(actor: User, enrolment_id: int, as_of: dt.date) -> PupilPage:
    """The pupil page of one enrolment the actor may see (else not found)."""
    enrolment = enrolment_get_for(actor, enrolment_id)
    period = Period.of(as_of)
    page = PageContext(actor, enrolment, as_of, period)
    sections = []
    for section in SECTIONS:
        context = section.context(page)
        if context is not None:
            sections.append(RenderedSection(section.id, section.heading, section.template, context))
    return PupilPage(enrolment, as_of, period, sections)
