"""Governors' pages: the comparison and the termly reports on the governors' view (called from
:func:`attend.monitoring.views.governors_view`), the termly report made on demand, and the
download of a stored one. Each needs ``SCHOOL_AGGREGATES_VIEW`` at the school (a 404 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from attend.accounts.models import User
from attend.core.exports import table_response
from attend.core.views import actor_of, scoped_view
from attend.governors import selectors, services
from attend.governors.domain import Term
from attend.governors.exports import comparison_table, termly_report_pdf
from attend.monitoring.selectors import SchoolDashboard

#: The governors' view's own tables (``?format=csv&table=comparison``).
TABLES = frozenset({"comparison"})


def governors_context(actor: User, dashboard: SchoolDashboard) -> dict[str, Any]:
    """What the governors' view shows besides the dashboard's figures."""
    today = timezone.localdate()
    page = selectors.governors_page_for(actor, dashboard, today)
    return {
        "comparison": page.comparison,
        "report_terms": page.report_terms,
        "stored_reports": page.stored_reports,
        "today": today,
    }


def governors_table(actor: User, dashboard: SchoolDashboard, table: str, fmt: str) -> HttpResponse:
    period = dashboard.period
    comparison = selectors.comparison_for(actor, dashboard.school.pk, period)
    name = f"{dashboard.school.urn}-{table}-{period.start.isoformat()}-to-{period.end.isoformat()}"
    return table_response(comparison_table(comparison, name), fmt)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@scoped_view
def termly_report(request: HttpRequest, school_id: int, year: int, term: str) -> HttpResponse:
    """The termly report made now (to today while the term runs)."""
    actor = actor_of(request)
    report = selectors.termly_report_for(actor, school_id, year, Term(term), timezone.localdate())
    pdf = termly_report_pdf(report)
    services.governors_report_download(actor=actor, report=report)
    return _pdf(pdf, f"{report.school.urn}-governors-report-{year}-{term}.pdf")


@scoped_view
def stored_report(request: HttpRequest, school_id: int, report_id: int) -> HttpResponse:
    actor = actor_of(request)
    stored = selectors.stored_report_get_for(actor, school_id, report_id)
    services.governors_report_download(actor=actor, stored=stored)
    return _pdf(
        bytes(stored.pdf),
        f"{stored.school.urn}-governors-report-{stored.academic_year}-{stored.term}.pdf",
    )
