"""Targeted support meeting pages: the LA's list for a term, the schools' named officers, a
school's meetings, the plan and record forms, and the TSM pack (HTML, CSV tables and PDF).

Each view parses its input, calls one selector or service and renders; out-of-scope schools are
404s through :func:`attend.core.views.scoped_view`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from attend.audit.services import audit_pupil_list_view
from attend.core.exceptions import NotFoundOrForbidden
from attend.core.exports import Table, export_format, table_response
from attend.core.views import ErrorItem, actor_of, scoped_view
from attend.tsm import selectors, services
from attend.tsm.domain import Term, current_term, year_label
from attend.tsm.exports import tsm_pack_pdf as render_pack_pdf
from attend.tsm.forms import (
    NEW_ACTION_ROWS,
    ActionFormSet,
    CarriedFormSet,
    ListFilterForm,
    PlanForm,
    RecordForm,
)
from attend.tsm.selectors import TsmList, TsmPack
from attend.tsm.services import ActionInput, CarriedInput, MeetingRecord, TsmInvalid


def _errors(form: Form, prefix: str = "id_") -> list[ErrorItem]:
    """The form's errors for the error summary, each linking to its field (a problem of the
    whole form links to the page's content)."""
    return [
        ErrorItem("#main-content" if name == "__all__" else f"#{prefix}{name}", str(error))
        for name, errors in form.errors.items()
        for error in errors
    ]


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


# -------------------------------------------------------------------------------------------------
# The LA's list for a term
# -------------------------------------------------------------------------------------------------


def _list_table(data: TsmList) -> Table:
    return Table(
        f"tsm-{data.year}-{data.term.value}",
        f"TSMs {data.label}",
        [
            "urn",
            "school",
            "named_officer",
            "year",
            "term",
            "status",
            "planned_on",
            "held_on",
            "overdue",
        ],
        [
            (
                r.school.urn,
                r.school.name,
                r.officer,
                year_label(data.year),
                data.term.value,
                r.status.value,
                r.meeting.planned_on if r.meeting else None,
                r.meeting.held_on if r.meeting else None,
                r.overdue,
            )
            for r in data.rows
        ],
    )


def _schedule(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        la_id = int(request.POST.get("local_authority", ""))
        year = int(request.POST.get("year", ""))
    except ValueError as exc:
        raise NotFoundOrForbidden from exc
    try:
        created = services.la_schedule(actor=actor, local_authority_id=la_id, year=year)
    except TsmInvalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{len(created)} meeting{'s' if len(created) != 1 else ''} scheduled for "
            f"{year_label(year)}"
            + ("" if created else ": every school already had its three meetings"),
        )
    return redirect(reverse("tsm_list") + "?" + urlencode({"year": year}))


@scoped_view
def tsm_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    today = timezone.localdate()
    if request.method == "POST":
        return _schedule(request)
    form = ListFilterForm(request.GET)
    year, term = current_term(today)
    mine = False
    errors: list[ErrorItem] = []
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        term = Term(form.cleaned_data["term"]) if form.cleaned_data["term"] else term
        mine = form.cleaned_data["mine"]
    else:
        errors = _errors(form)
    data = selectors.tsm_list_for(actor, year, term, mine=mine, today=today)
    fmt = export_format(request)
    if fmt:
        return table_response(_list_table(data), fmt)
    query = {"year": year, "term": term.value, **({"mine": "on"} if mine else {})}
    return render(
        request,
        "tsm/list.html",
        {
            "nav": "registers",
            "data": data,
            "terms": list(Term),
            "years": [(y, year_label(y)) for y in (year - 1, year, year + 1)],
            "query": urlencode(query),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# -------------------------------------------------------------------------------------------------
# The schools' named LA attendance officers
# -------------------------------------------------------------------------------------------------


@scoped_view
def tsm_officers(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    choices = selectors.school_officers_for(actor)
    errors: list[ErrorItem] = []
    chosen = {row.school.pk: row.officer_id for row in choices.rows}
    if request.method == "POST":
        for row in choices.rows:
            value = request.POST.get(f"officer_{row.school.pk}", "")
            chosen[row.school.pk] = int(value) if value.isdigit() else None
        try:
            changed = services.school_officers_set(actor=actor, officers=chosen)
        except TsmInvalid as exc:
            errors = [ErrorItem(f"#{key}", message) for key, message in exc.problems.items()]
        else:
            messages.success(
                request, f"Named officers saved ({changed} school{'s' if changed != 1 else ''})"
            )
            return redirect("tsm_officers")
    rows = [
        {
            "row": row,
            "chosen": chosen[row.school.pk],
            "officers": choices.officers[row.school.local_authority_id],
            "error": next((e.message for e in errors if e.href == f"#officer_{row.school.pk}"), ""),
        }
        for row in choices.rows
    ]
    return render(
        request,
        "tsm/officers.html",
        {"nav": "registers", "rows": rows, "errors": errors},
        status=400 if errors else 200,
    )


# -------------------------------------------------------------------------------------------------
# A school's meetings, and the plan and record forms
# -------------------------------------------------------------------------------------------------


@scoped_view
def school_tsms(request: HttpRequest, school_id: int) -> HttpResponse:
    data = selectors.school_tsms_for(actor_of(request), school_id, today=timezone.localdate())
    return render(request, "tsm/school.html", {"nav": "registers", "data": data})


@scoped_view
def tsm_plan(request: HttpRequest, school_id: int, year: int, term: str) -> HttpResponse:
    actor = actor_of(request)
    chosen = Term(term)
    today = timezone.localdate()
    start = selectors.meeting_for(actor, school_id, year, chosen, today=today)
    meeting = start.view.meeting
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                services.meeting_plan(
                    actor=actor,
                    school_id=school_id,
                    year=year,
                    term=chosen,
                    planned_on=form.cleaned_data["planned_on"],
                )
            except TsmInvalid as exc:
                for name, message in exc.problems.items():
                    form.add_error("planned_on" if name == "planned_on" else None, message)
            else:
                messages.success(request, f"{start.view.label}: meeting date saved")
                return redirect("school_tsms", school_id)
    else:
        default = services.planned_dates([school_id], year)[school_id][chosen]
        form = PlanForm(initial={"planned_on": _iso(meeting.planned_on if meeting else default)})
    errors = _errors(form)
    return render(
        request,
        "tsm/plan.html",
        {"nav": "registers", "start": start, "form": form, "errors": errors},
        status=400 if errors else 200,
    )


def _record_initial(start: selectors.MeetingForm) -> dict[str, Any]:
    meeting = start.view.meeting
    officer = (meeting.la_officer_id if meeting else None) or start.school.la_attendance_officer_id
    if meeting is None:
        return {"la_officer": str(officer or "")}
    return {
        "held_on": _iso(meeting.held_on),
        "la_officer": str(officer or ""),
        "attendees": meeting.attendees,
        "discussion": meeting.discussion,
        "successes": meeting.successes,
        "improvements": meeting.improvements,
    }


def _action_initial(start: selectors.MeetingForm) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "action_id": line.action.pk,
            "description": line.action.description,
            "owner": line.action.owner,
            "due_on": _iso(line.action.due_on),
            "done_on": _iso(line.action.done_on),
            "notes": line.action.notes,
        }
        for line in start.view.actions
    ]
    return rows + [{} for _ in range(NEW_ACTION_ROWS)]


@scoped_view
def tsm_record(request: HttpRequest, school_id: int, year: int, term: str) -> HttpResponse:
    actor = actor_of(request)
    chosen = Term(term)
    today = timezone.localdate()
    start = selectors.meeting_for(actor, school_id, year, chosen, today=today)
    carried_initial = [
        {"action_id": line.action.pk, "done_on": "", "notes": line.action.notes}
        for line in start.earlier_open
    ]
    if request.method == "POST":
        form = RecordForm(request.POST, officers=start.officers)
        actions = ActionFormSet(request.POST, prefix="action")
        carried = CarriedFormSet(request.POST, prefix="carried")
        valid = form.is_valid() & actions.is_valid() & carried.is_valid()
        if valid:
            rows, positions = [], []
            for n, row in enumerate(actions.forms):
                if row.blank:
                    continue
                d = row.cleaned_data
                rows.append(
                    ActionInput(
                        action_id=d.get("action_id"),
                        description=d.get("description", ""),
                        owner=d.get("owner", ""),
                        due_on=d.get("due_on"),
                        done_on=d.get("done_on"),
                        notes=d.get("notes", ""),
                    )
                )
                positions.append(n)
            record = MeetingRecord(
                held_on=form.cleaned_data["held_on"],
                la_officer_id=form.cleaned_data["la_officer"],
                attendees=form.cleaned_data["attendees"],
                discussion=form.cleaned_data["discussion"],
                successes=form.cleaned_data["successes"],
                improvements=form.cleaned_data["improvements"],
                actions=rows,
                carried=[
                    CarriedInput(
                        action_id=c.cleaned_data["action_id"],
                        done_on=c.cleaned_data.get("done_on"),
                        notes=c.cleaned_data.get("notes", ""),
                    )
                    for c in carried.forms
                ],
            )
            try:
                services.meeting_record(
                    actor=actor, school_id=school_id, year=year, term=chosen, record=record
                )
            except TsmInvalid as exc:
                for key, message in exc.problems.items():
                    kind, _, rest = key.partition("-")
                    index, _, name = rest.partition("-")
                    if kind == "action":
                        actions.forms[positions[int(index)]].add_error(name, message)
                    elif kind == "carried":
                        carried.forms[int(index)].add_error(name, message)
                    else:
                        form.add_error(key if key in form.fields else None, message)
            else:
                messages.success(request, f"{start.view.label}: meeting record saved")
                return redirect("school_tsms", school_id)
    else:
        form = RecordForm(initial=_record_initial(start), officers=start.officers)
        actions = ActionFormSet(initial=_action_initial(start), prefix="action")
        carried = CarriedFormSet(initial=carried_initial, prefix="carried")
    errors = _errors(form)
    for n, row in enumerate(actions.forms):
        errors += _errors(row, f"id_action-{n}-")
    for n, carried_row in enumerate(carried.forms):
        errors += _errors(carried_row, f"id_carried-{n}-")
    earlier = {line.action.pk: line for line in start.earlier_open}
    return render(
        request,
        "tsm/record.html",
        {
            "nav": "registers",
            "start": start,
            "form": form,
            "actions": actions,
            "carried": [
                (row, earlier.get(row.initial.get("action_id") or 0)) for row in carried.forms
            ],
            "carried_formset": carried,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# -------------------------------------------------------------------------------------------------
# The TSM pack
# -------------------------------------------------------------------------------------------------


def _pack(request: HttpRequest, school_id: int, year: int, term: str) -> TsmPack:
    actor = actor_of(request)
    pack = selectors.tsm_pack_for(
        actor, school_id, year, Term(term), today=timezone.localdate(), now=timezone.now()
    )
    audit_pupil_list_view(
        actor=actor,
        school_id=school_id,
        pupils=[(p.enrolment_id, p.upn) for p in pack.severe_pupils or []],
        page="TSM pack",
    )
    return pack


def _pack_table(pack: TsmPack, table: str) -> Table:
    name = f"{pack.school.urn}-tsm-{pack.year}-{pack.term.value}-{table}"
    if table == "categories":
        return Table(
            name,
            "Five categories",
            ["category", "label", "pupils", "share"],
            [(r.category.value, r.label, r.cohort, r.cohort.share) for r in pack.categories],
        )
    if table == "severe" and pack.severe_pupils is not None:
        return Table(
            name,
            "Severely absent pupils",
            [
                "upn",
                "name",
                "year_group",
                "attendance_rate",
                "possible_sessions",
                "attended_sessions",
                "absent_sessions",
                "unauthorised_sessions",
            ],
            [
                (
                    p.upn,
                    p.name,
                    p.year_group,
                    p.attendance_rate,
                    p.possible_sessions,
                    p.attended_sessions,
                    p.absent_sessions,
                    p.unauthorised_sessions,
                )
                for p in pack.severe_pupils
            ],
        )
    if table == "actions":
        return Table(
            name,
            "Actions carried forward",
            ["agreed_at", "description", "owner", "due_on", "status", "done_on", "notes"],
            [
                (
                    line.agreed_at,
                    line.action.description,
                    line.action.owner,
                    line.action.due_on,
                    line.status.value,
                    line.action.done_on,
                    line.action.notes,
                )
                for line in [*pack.previous_actions, *pack.earlier_open_actions]
            ],
        )
    raise Http404


@scoped_view
def tsm_pack(request: HttpRequest, school_id: int, year: int, term: str) -> HttpResponse:
    pack = _pack(request, school_id, year, term)
    fmt = export_format(request)
    if fmt:
        return table_response(_pack_table(pack, request.GET.get("table", "")), fmt)
    return render(request, "tsm/pack.html", {"nav": "registers", "pack": pack})


@scoped_view
def tsm_pack_pdf(request: HttpRequest, school_id: int, year: int, term: str) -> HttpResponse:
    pack = _pack(request, school_id, year, term)
    response = HttpResponse(render_pack_pdf(pack), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="tsm-pack-{pack.school.urn}-{year}-{pack.term.value}.pdf"'
    )
    return response
