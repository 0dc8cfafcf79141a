"""Monitoring pages: a school's dashboard, the pupils in one of its five categories, the governors'
view and the LA overview. Every table also comes as CSV and
Excel (``?format=csv|xlsx&table=...``, attend.core.exports).

Each view parses the period (and the overview's filter and sort), calls one selector and renders;
out-of-scope schools are 404s through :func:`attend.core.views.scoped_view`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attend.audit.services import audit_pupil_list_view
from attend.core.exceptions import NotFoundOrForbidden
from attend.core.exports import Table, export_format, table_response
from attend.core.views import ErrorItem, actor_of, scoped_view
from attend.governors import views as governors_views
from attend.monitoring import cohorts, priorities, selectors
from attend.monitoring.forms import PeriodForm
from attend.monitoring.pattern_tables import pattern_table
from attend.monitoring.selectors import (
    CATEGORY_LABELS,
    SORT_KEYS,
    CategoryRow,
    SchoolDashboard,
    SchoolRow,
)
from attend.organisations.models import Phase
from attend.registers.domain import AttendanceCategory
from attend.registers.reports import Period

# -------------------------------------------------------------------------------------------------
# Shared: the period and exports
# -------------------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[PeriodForm, Period, list[ErrorItem]]:
    form = PeriodForm(request.GET, today=timezone.localdate())
    period = form.period()
    errors = [
        ErrorItem(f"#id_{name}", str(error)) for name in form.errors for error in form.errors[name]
    ]
    return form, period, errors


def _period_query(period: Period) -> str:
    return urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})


def _table(
    filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Table:
    return Table(filename=filename, title=title, header=header, rows=rows)


def _suffix(period: Period) -> str:
    return f"{period.start.isoformat()}-to-{period.end.isoformat()}"


# -------------------------------------------------------------------------------------------------
# A school's dashboard and the governors' view
# -------------------------------------------------------------------------------------------------


def _dashboard_table(dashboard: SchoolDashboard, table: str) -> Table:
    name = f"{dashboard.school.urn}-{table}-{_suffix(dashboard.period)}"
    head = dashboard.headline
    if table == "headline":
        return _table(
            name,
            "Headline figures",
            ["figure", "value"],
            [
                ("enrolments", head.enrolments),
                ("possible_sessions", head.possible_sessions),
                ("present_sessions", head.present_sessions),
                ("aea_sessions", head.aea_sessions),
                ("attended_sessions", head.attended_sessions),
                ("authorised_absence", head.authorised_absence),
                ("unauthorised_absence", head.unauthorised_absence),
                ("attendance_rate", head.attendance_rate),
                ("overall_absence_rate", head.overall_absence_rate),
                ("authorised_absence_rate", head.authorised_absence_rate),
                ("unauthorised_absence_rate", head.unauthorised_absence_rate),
                ("persistent_absence_pupils", head.persistent_absence),
                ("persistent_absence_rate", head.persistent_absence.share),
                ("severe_absence_pupils", head.severe_absence),
                ("severe_absence_rate", head.severe_absence.share),
            ],
        )
    if table == "categories":
        return _table(
            name,
            "Five categories",
            ["category", "label", "pupils", "share"],
            [(r.category.value, r.label, r.cohort, r.cohort.share) for r in dashboard.categories],
        )
    if table == "reasons":
        return _table(
            name,
            "Sessions by code",
            ["code", "meaning", "counted_as", "sessions", "share_of_possible"],
            [(r.code, r.meaning, r.counted_as, r.sessions, r.share) for r in dashboard.reasons],
        )
    if table == "weeks":
        return _table(
            name,
            "By week",
            [
                "week_beginning",
                "possible_sessions",
                "attended_sessions",
                "authorised_absence",
                "unauthorised_absence",
                "attendance_rate",
                "authorised_absence_rate",
                "unauthorised_absence_rate",
                "overall_absence_rate",
            ],
            [
                (
                    w.week.isoformat(),
                    w.possible_sessions,
                    w.attended_sessions,
                    w.authorised_absence,
                    w.unauthorised_absence,
                    w.attendance_rate,
                    w.authorised_absence_rate,
                    w.unauthorised_absence_rate,
                    w.overall_absence_rate,
                )
                for w in dashboard.weeks
            ],
        )
    patterns = pattern_table(dashboard.patterns, table, name)
    if patterns is not None:
        return patterns
    if table == "cohorts":
        return _table(
            name,
            "Cohorts",
            cohorts.EXPORT_HEADER,
            cohorts.export_rows(cohorts.cohort_table_for(dashboard)),
        )
    raise Http404


def _render_dashboard(request: HttpRequest, school_id: int, *, governors: bool) -> HttpResponse:
    actor = actor_of(request)
    form, period, errors = _period(request)
    dashboard = selectors.school_dashboard_for(actor, school_id, period, aggregates_only=governors)
    fmt = export_format(request)
    table = request.GET.get("table", "")
    if fmt and governors and table in governors_views.TABLES:
        return governors_views.governors_table(actor, dashboard, table, fmt)
    if fmt:
        return table_response(_dashboard_table(dashboard, table), fmt)
    return render(
        request,
        "monitoring/dashboard.html",
        {
            **(governors_views.governors_context(actor, dashboard) if governors else {}),
            "nav": "registers",
            "dashboard": dashboard,
            "school": dashboard.school,
            "head": dashboard.headline,
            "period": period,
            "period_query": _period_query(period),
            "form": form,
            "errors": errors,
            "governors": governors,
            "cohorts": cohorts.cohort_table_for(dashboard, actor),
        },
        status=400 if errors else 200,
    )


@scoped_view
def school_dashboard(request: HttpRequest, school_id: int) -> HttpResponse:
    return _render_dashboard(request, school_id, governors=False)


@scoped_view
def governors_view(request: HttpRequest, school_id: int) -> HttpResponse:
    return _render_dashboard(request, school_id, governors=True)


def _category_table(dashboard: SchoolDashboard, row: CategoryRow) -> Table:
    name = f"{dashboard.school.urn}-{row.category.value}-{_suffix(dashboard.period)}"
    return _table(
        name,
        row.label,
        [
            "upn",
            "name",
            "possible_sessions",
            "attended_sessions",
            "authorised_absence",
            "unauthorised_absence",
            "attendance_rate",
            "absence_rate",
            "persistent_absence",
            "severe_absence",
            "category",
        ],
        [
            (
                p.upn,
                p.name,
                p.counts.possible,
                p.counts.attended,
                p.counts.authorised,
                p.counts.unauthorised,
                p.attendance_rate,
                p.absence_rate,
                p.persistent_absence,
                p.severe_absence,
                p.category.value,
            )
            for p in row.pupils or []
        ],
    )


@scoped_view
def school_category(request: HttpRequest, school_id: int, category: str) -> HttpResponse:
    try:
        chosen = AttendanceCategory(category)
    except ValueError as exc:
        raise NotFoundOrForbidden from exc
    actor = actor_of(request)
    form, period, errors = _period(request)
    dashboard, row = selectors.school_category_for(actor, school_id, period, chosen)
    audit_pupil_list_view(
        actor=actor,
        school_id=school_id,
        pupils=[(line.enrolment_id, line.upn) for line in row.pupils or []],
        page=f"{chosen.value} category list",
    )
    fmt = export_format(request)
    if fmt:
        return table_response(_category_table(dashboard, row), fmt)
    return render(
        request,
        "monitoring/category.html",
        {
            "nav": "registers",
            "dashboard": dashboard,
            "school": dashboard.school,
            "row": row,
            "period": period,
            "period_query": _period_query(period),
            "form": form,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# -------------------------------------------------------------------------------------------------
# The LA overview
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool
    url: str
    #: "ascending", "descending" or "none" (aria-sort)
    sorted: str


COLUMNS: list[tuple[str, str, bool]] = [
    ("name", "School", False),
    ("phase", "Phase", False),
    ("enrolments", "Pupils", True),
    ("attendance", "Attendance", True),
    ("absence", "Absence", True),
    ("persistent", "Persistent absence", True),
    ("severe", "Severe absence", True),
    *((f"category_{c.value}", CATEGORY_LABELS[c], True) for c in AttendanceCategory),
]


def _overview_table(rows: list[SchoolRow], period: Period) -> Table:
    return _table(
        f"la-overview-{_suffix(period)}",
        "Schools",
        [
            "urn",
            "name",
            "phase",
            "enrolments",
            "attendance_rate",
            "overall_absence_rate",
            "persistent_absence_pupils",
            "persistent_absence_rate",
            "severe_absence_pupils",
            "severe_absence_rate",
            *(c.value for c in AttendanceCategory),
        ],
        [
            (
                r.urn,
                r.name,
                r.phase,
                r.enrolments,
                r.attendance_rate,
                r.overall_absence_rate,
                r.persistent_absence,
                r.persistent_absence.share,
                r.severe_absence,
                r.severe_absence.share,
                *r.categories,
            )
            for r in rows
        ],
    )


@scoped_view
def la_overview(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form, period, errors = _period(request)
    phase = request.GET.get("phase", "")
    if phase not in Phase.values:
        phase = ""
    sort = request.GET.get("sort", "name")
    if sort not in SORT_KEYS:
        sort = "name"
    descending = request.GET.get("order") == "desc"
    rows = selectors.la_overview_for(
        actor, period, phase=phase or None, sort=sort, descending=descending
    )
    fmt = export_format(request)
    if fmt:
        return table_response(_overview_table(rows, period), fmt)
    base = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if phase:
        base["phase"] = phase
    columns = []
    for key, label, numeric in COLUMNS:
        current = key == sort
        if current:
            order = "asc" if descending else "desc"
        else:
            order = "desc" if numeric else "asc"
        columns.append(
            Column(
                key=key,
                label=label,
                numeric=numeric,
                url="?" + urlencode({**base, "sort": key, "order": order}),
                sorted=("descending" if descending else "ascending") if current else "none",
            )
        )
    return render(
        request,
        "monitoring/la_overview.html",
        {
            "nav": "registers",
            "rows": rows,
            "columns": columns,
            "phases": Phase.choices,
            "phase": phase,
            "sort": sort,
            "order": "desc" if descending else "asc",
            "period": period,
            "period_query": urlencode(
                {**base, "sort": sort, "order": "desc" if descending else "asc"}
            ),
            "dashboard_query": _period_query(period),
            "form": form,
            "errors": errors,
            "any_suppressed": any(r.suppressed for r in rows),
            "has_priorities": priorities.reads_priorities(actor),
        },
        status=400 if errors else 200,
    )


@scoped_view
def la_priority_trends(request: HttpRequest) -> HttpResponse:
    """The LA's priorities for the period, each with its trend by half term (LA readers). On
    their own page: at the scale of a whole LA they take seconds, the overview milliseconds
    (docs/performance.md)."""
    actor = actor_of(request)
    if not priorities.reads_priorities(actor):
        raise NotFoundOrForbidden
    form, period, errors = _period(request)
    found = priorities.la_priorities_for(actor, period)
    fmt = export_format(request)
    if fmt:
        return table_response(priorities.export_table(found, period), fmt)
    return render(
        request,
        "monitoring/priority_trends.html",
        {
            "nav": "registers",
            "priorities": found,
            "period": period,
            "dashboard_query": _period_query(period),
            "form": form,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
