"""The pupil page, "who needs attention" and recognition (certificates as PDF).

Each view parses its input, calls one selector and renders; out-of-scope schools and pupils are
404s through :func:`attend.core.views.scoped_view`. Every table also comes as CSV and Excel
(``?format=csv|xlsx&table=...``).
"""

from __future__ import annotations

from fractions import Fraction
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attend.audit.services import audit_pupil_list_view, audit_pupil_view
from attend.core.exports import Table, export_format, table_response
from attend.core.views import ErrorItem, actor_of, scoped_view
from attend.monitoring import attention, pupil_page, recognition, trends
from attend.monitoring.forms import AsOfForm, RecognitionForm


def _errors(form: AsOfForm | RecognitionForm) -> list[ErrorItem]:
    return [ErrorItem(f"#id_{name}", str(e)) for name in form.errors for e in form.errors[name]]


# -------------------------------------------------------------------------------------------------
# The pupil page
# -------------------------------------------------------------------------------------------------


@scoped_view
def pupil_page_view(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    actor = actor_of(request)
    form = AsOfForm(request.GET or None, today=timezone.localdate())
    page = pupil_page.pupil_page_for(actor, enrolment_id, form.day())
    audit_pupil_view(actor=actor, enrolment=page.enrolment, page="pupil page")
    errors = _errors(form)
    return render(
        request,
        "monitoring/pupil/page.html",
        {
            "nav": "registers",
            "page": page,
            "enrolment": page.enrolment,
            "pupil": page.enrolment.pupil,
            "school": page.enrolment.school,
            "form": form,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# -------------------------------------------------------------------------------------------------
# Who needs attention
# -------------------------------------------------------------------------------------------------

ATTENTION_TABLES = ("worse", "falling", "projected", "no_case")


def _attention_table(found: attention.Attention, table: str) -> Table:
    name = f"{found.school.urn}-attention-{table}-{found.as_of.isoformat()}"
    if table == "worse":
        return Table(
            name,
            "Newly in a worse category",
            [
                "upn",
                "name",
                "registration_group",
                "category_last_week",
                "category_now",
                "attendance_rate_last_week",
                "attendance_rate_now",
            ],
            [
                (
                    r.pupil.upn,
                    r.pupil.name,
                    r.pupil.group,
                    r.before.value,
                    r.after.value,
                    r.before_rate,
                    r.after_rate,
                )
                for r in found.worse
            ],
        )
    if table == "falling":
        return Table(
            name,
            "Falling fastest",
            [
                "upn",
                "name",
                "registration_group",
                "earlier_attended",
                "earlier_possible",
                "earlier_rate",
                "recent_attended",
                "recent_possible",
                "recent_rate",
                "fall_percentage_points",
            ],
            [
                (
                    r.pupil.upn,
                    r.pupil.name,
                    r.pupil.group,
                    r.earlier.attended,
                    r.earlier.possible,
                    r.earlier_rate,
                    r.recent.attended,
                    r.recent.possible,
                    r.recent_rate,
                    r.fall_points,
                )
                for r in found.falling
            ],
        )
    if table == "projected":
        return Table(
            name,
            "Projected persistent absence",
            [
                "upn",
                "name",
                "registration_group",
                "attended_so_far",
                "possible_so_far",
                "rate_now",
                "recent_rate",
                "remaining_sessions",
                "projected_rate",
            ],
            [
                (
                    r.pupil.upn,
                    r.pupil.name,
                    r.pupil.group,
                    r.year_to_date.attended,
                    r.year_to_date.possible,
                    r.rate_now,
                    r.recent_rate,
                    r.remaining,
                    r.projected_rate,
                )
                for r in found.projected
            ],
        )
    if table == "no_case":
        return Table(
            name,
            "No open support case",
            [
                "upn",
                "name",
                "registration_group",
                "category",
                "possible_sessions",
                "attended_sessions",
                "attendance_rate",
            ],
            [
                (
                    r.pupil.upn,
                    r.pupil.name,
                    r.pupil.group,
                    r.category.value,
                    r.counts.possible,
                    r.counts.attended,
                    r.attendance_rate,
                )
                for r in found.no_case
            ],
        )
    raise Http404


@scoped_view
def school_attention(request: HttpRequest, school_id: int) -> HttpResponse:
    actor = actor_of(request)
    form = AsOfForm(request.GET or None, today=timezone.localdate())
    found = attention.attention_for(actor, school_id, form.day())
    named = {
        (r.pupil.enrolment_id, r.pupil.upn)
        for rows in (found.worse, found.falling, found.projected, found.no_case)
        for r in rows
    }
    audit_pupil_list_view(
        actor=actor, school_id=school_id, pupils=sorted(named), page="who needs attention page"
    )
    fmt = export_format(request)
    if fmt:
        return table_response(_attention_table(found, request.GET.get("table", "")), fmt)
    errors = _errors(form)
    return render(
        request,
        "monitoring/attention.html",
        {
            "nav": "registers",
            "found": found,
            "school": found.school,
            "form": form,
            "errors": errors,
            "query": urlencode({"as_of": found.as_of.isoformat()}),
            "recent_weeks": trends.RECENT_WEEKS,
            "min_possible": trends.MIN_POSSIBLE,
            "fall_listed": trends.FALL_LISTED * 100,
        },
        status=400 if errors else 200,
    )


# -------------------------------------------------------------------------------------------------
# Recognition
# -------------------------------------------------------------------------------------------------


def _recognition(
    request: HttpRequest, school_id: int
) -> tuple[recognition.Recognition, RecognitionForm]:
    actor = actor_of(request)
    form = RecognitionForm(request.GET or None)
    half_start = None
    threshold = trends.EXCELLENT_DEFAULT
    if form.is_bound and form.is_valid():
        half_start = form.cleaned_data.get("half_term")
        if form.cleaned_data.get("threshold") is not None:
            threshold = Fraction(form.cleaned_data["threshold"], 100)
    found = recognition.recognition_for(
        actor, school_id, timezone.localdate(), half_term_start=half_start, threshold=threshold
    )
    return found, form


def _recognition_query(found: recognition.Recognition) -> str:
    params = {"threshold": str(found.threshold_percent)}
    if found.half_term:
        params["half_term"] = found.half_term.start.isoformat()
    return urlencode(params)


def _recognition_table(found: recognition.Recognition, table: str) -> Table:
    label = found.half_term.start.isoformat() if found.half_term else "none"
    name = f"{found.school.urn}-recognition-{table}-{label}"
    if table == "excellent":
        return Table(
            name,
            "Excellent attendance",
            [
                "upn",
                "name",
                "registration_group",
                "attended_sessions",
                "possible_sessions",
                "attendance_rate",
            ],
            [
                (a.pupil.upn, a.pupil.name, a.pupil.group, a.this.attended, a.this.possible, a.rate)
                for a in found.excellent
            ],
        )
    if table == "improved":
        return Table(
            name,
            "Most improved",
            [
                "upn",
                "name",
                "registration_group",
                "last_attended",
                "last_possible",
                "last_rate",
                "attended_sessions",
                "possible_sessions",
                "attendance_rate",
                "change_percentage_points",
            ],
            [
                (
                    a.pupil.upn,
                    a.pupil.name,
                    a.pupil.group,
                    a.last.attended if a.last else None,
                    a.last.possible if a.last else None,
                    a.last_rate,
                    a.this.attended,
                    a.this.possible,
                    a.rate,
                    a.change_points,
                )
                for a in found.improved
            ],
        )
    if table == "classes":
        return Table(
            name,
            "Classes",
            [
                "registration_group",
                "pupils",
                "attended_sessions",
                "possible_sessions",
                "attendance_rate",
                "last_rate",
                "change_percentage_points",
                "excellent",
            ],
            [
                (
                    c.name,
                    c.pupils,
                    c.this.attended,
                    c.this.possible,
                    c.rate,
                    c.last_rate,
                    c.change_points,
                    c.excellent,
                )
                for c in found.classes
            ],
        )
    raise Http404


@scoped_view
def school_recognition(request: HttpRequest, school_id: int) -> HttpResponse:
    actor = actor_of(request)
    found, form = _recognition(request, school_id)
    named = {(a.pupil.enrolment_id, a.pupil.upn) for a in found.excellent + found.improved}
    audit_pupil_list_view(
        actor=actor, school_id=school_id, pupils=sorted(named), page="recognition page"
    )
    fmt = export_format(request)
    if fmt:
        return table_response(_recognition_table(found, request.GET.get("table", "")), fmt)
    errors = _errors(form)
    return render(
        request,
        "monitoring/recognition.html",
        {
            "nav": "registers",
            "found": found,
            "school": found.school,
            "form": form,
            "errors": errors,
            "query": _recognition_query(found),
            "min_possible": trends.MIN_HALF_TERM_POSSIBLE,
        },
        status=400 if errors else 200,
    )


@scoped_view
def recognition_certificates(request: HttpRequest, school_id: int) -> HttpResponse:
    """Certificates as one PDF: ``?group=ID`` for everyone in a class with an award, or
    ``?pupil=ID&pupil=ID`` for chosen pupils (enrolment ids), for the half term chosen as on
    the recognition page."""
    actor = actor_of(request)
    found, form = _recognition(request, school_id)
    group = request.GET.get("group", "")
    chosen = [int(v) for v in request.GET.getlist("pupil") if v.isdigit()]
    awards: list[tuple[recognition.PupilAward, str]] = []
    if found.half_term is not None and (group.isdigit() or chosen):
        if group.isdigit():
            awards = found.awards_for(group_id=int(group))
        else:
            awards = found.awards_for(enrolment_ids=set(chosen))
    if not awards:
        return render(
            request,
            "monitoring/certificates_none.html",
            {"nav": "registers", "school": found.school, "query": _recognition_query(found)},
        )
    audit_pupil_list_view(
        actor=actor,
        school_id=school_id,
        pupils=sorted({(a.pupil.enrolment_id, a.pupil.upn) for a, _ in awards}),
        page="attendance certificates",
    )
    assert found.half_term is not None  # noqa: S101 - awards need one
    pdf = recognition.certificates_pdf(found, recognition.certificates(found, awards))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{found.school.urn}-certificates-'
        f'{found.half_term.start.isoformat()}.pdf"'
    )
    return response
