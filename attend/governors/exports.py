"""The termly governors' report as a PDF (WeasyPrint), and the comparison as CSV or Excel."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from attend.core.exports import Table
from attend.governors.selectors import Comparison, TermlyReport
from attend.reference.domain import MEASURE_EXPLANATIONS, Measure


def comparison_table(comparison: Comparison, filename: str) -> Table:
    """One row per measure: the school, the LA group, the national figure with what it covers."""
    return Table(
        filename=filename,
        title="Comparison",
        header=[
            "measure",
            "this_school",
            "other_schools_of_the_phase_in_the_la",
            "national",
            "national_year",
            "national_period",
            "national_phase",
            "national_same_period",
            "national_source",
            "national_published",
        ],
        rows=[
            (
                r.measure.value,
                "fewer than 5" if r.school_withheld else r.school,
                (
                    "not shown: fewer than 2 other schools"
                    if not comparison.group_shown
                    else ("fewer than 5" if r.group_withheld else r.group)
                ),
                r.national.value if r.national else None,
                r.national.year_label if r.national else None,
                (
                    r.national.period_label
                    + (" (100% minus overall absence)" if r.national.derived else "")
                    if r.national
                    else None
                ),
                r.national.phase.value if r.national else None,
                r.national_same_period,
                r.national.source if r.national else None,
                r.national.published if r.national else None,
            )
            for r in comparison.rows
        ],
    )


def termly_report_context(report: TermlyReport) -> dict[str, Any]:
    return {
        "report": report,
        "school": report.school,
        "dashboard": report.dashboard,
        "head": report.dashboard.headline,
        "comparison": report.comparison,
        "explanations": {m.value: MEASURE_EXPLANATIONS[m] for m in Measure},
        "generated": timezone.localtime(),
    }


def termly_report_pdf(report: TermlyReport) -> bytes:
    """An A4 PDF for the governing board: a cover line, the headline figures with what each
    measure means, the five categories, absence by reason and by week, and the comparison, with
    page numbers. Aggregates only (the selectors withhold small counts)."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only when used

    html = render_to_string("governors/report.html", termly_report_context(report))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
