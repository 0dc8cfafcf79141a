"""Register pages: home, taking and amending a register, registers not taken, a pupil's register.

Each view parses its input, calls one selector or service, and renders. Out-of-scope objects are
404s through :func:`attend.core.views.scoped_view`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from attend.accounts.roles import Permission
from attend.accounts.scope import scope_for
from attend.audit.services import audit_pupil_view
from attend.core.exceptions import NotFoundOrForbidden
from attend.core.views import ErrorItem, actor_of, scoped_view
from attend.monitoring.selectors import monitoring_links_for
from attend.organisations.models import CalendarEntry, RegistrationGroup
from attend.registers import selectors, services
from attend.registers.domain import CODES, HISTORIC_CODES, Category, Code, Session, week_of
from attend.registers.forms import (
    CATEGORY_LABELS,
    CODE_OPTION_GROUPS,
    CODE_VALUES,
    RegisterAmendForm,
    RegisterTakeForm,
    SessionChoiceForm,
    TermChoiceForm,
    all_present_initial,
    amend_initial,
    present_code,
)
from attend.registers.models import Amendment, Mark
from attend.registers.selectors import RegisterSheet
from attend.registers.services import MarkInput, RegisterConflict, RegisterError

SESSION_NAMES = {Session.AM: "morning", Session.PM: "afternoon"}
CONFLICT_MESSAGE = "This register was saved by someone else while you had it open"


def _code(code: str) -> Code | None:
    return CODES.get(code) or HISTORIC_CODES.get(code)


def _meaning(code: str) -> str:
    found = _code(code)
    return found.meaning if found else ""


def _register_url(group: RegistrationGroup, day: dt.date, session: Session) -> str:
    return reverse("register", args=[group.pk, day, session])


# -------------------------------------------------------------------------------------------------
# Home
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeGroup:
    group: RegistrationGroup
    am_url: str
    pm_url: str
    am_taken: bool
    pm_taken: bool


@scoped_view
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    today = timezone.localdate()
    taken = selectors.registers_taken_for(actor, today)
    groups = [
        HomeGroup(
            group=g,
            am_url=_register_url(g, today, Session.AM),
            pm_url=_register_url(g, today, Session.PM),
            am_taken=(g.pk, Session.AM) in taken,
            pm_taken=(g.pk, Session.PM) in taken,
        )
        for g in selectors.groups_for(actor)
    ]
    offices = list(selectors.schools_for(actor, Permission.REGISTER_MISSING_VIEW))
    return render(
        request,
        "registers/home.html",
        {
            "nav": "registers",
            "today": today,
            "groups": groups,
            "offices": offices,
            "schools": list(selectors.schools_seen_by(actor).select_related("local_authority")),
            "children": list(selectors.children_for(actor)),
            "roles": sorted(scope_for(actor).roles),
            "monitoring": monitoring_links_for(actor),
        },
    )


# -------------------------------------------------------------------------------------------------
# Taking and amending a register
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowView:
    """One pupil's row of the register page."""

    enrolment: Any
    mark: Mark | None
    meaning: str
    code_field: Any = None
    minutes_field: Any = None
    your_entry: MarkInput | None = None
    your_meaning: str = ""
    amendments: list[Amendment] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        """The user's own entry (after a conflict) is not the mark saved now."""
        if self.your_entry is None:
            return False
        held = (self.mark.code, self.mark.minutes_late) if self.mark else None
        return held != (self.your_entry.code, self.your_entry.minutes_late)


def _posted_entries(data: QueryDict, sheet: RegisterSheet) -> dict[int, MarkInput]:
    """What the user posted, row by row, as far as it can be read (to show it back after a
    conflict: nothing they typed is lost)."""
    entries = {}
    for row in sheet.rows:
        pk = row.enrolment.pk
        code = (data.get(f"code_{pk}") or "").strip()
        if not code:
            continue
        minutes = (data.get(f"minutes_{pk}") or "").strip()
        entries[pk] = MarkInput(code, int(minutes) if minutes.isdigit() else None)
    return entries


def _school_day_links(sheet: RegisterSheet) -> dict[str, str | dt.date | None]:
    """Links to the previous and next school days and to the other session of the day."""
    sessions = selectors.school_session_set(sheet.group.school)
    if sessions is None:
        days = None
    else:
        days = sorted({d for d, _ in sessions})
    day = sheet.day

    def step(direction: int) -> dt.date | None:
        if days is None:
            candidate = day + dt.timedelta(days=direction)
            while candidate.weekday() >= 5:
                candidate += dt.timedelta(days=direction)
            return candidate
        before = [d for d in days if d < day]
        after = [d for d in days if d > day]
        if direction < 0:
            return before[-1] if before else None
        return after[0] if after else None

    prev_day, next_day = step(-1), step(1)
    other = Session.PM if sheet.session == Session.AM else Session.AM
    return {
        "prev_url": _register_url(sheet.group, prev_day, sheet.session) if prev_day else None,
        "prev_day": prev_day,
        "next_url": _register_url(sheet.group, next_day, sheet.session) if next_day else None,
        "next_day": next_day,
        "other_url": _register_url(sheet.group, day, other),
        "other_name": SESSION_NAMES[other],
    }


def _render_register(
    request: HttpRequest,
    sheet: RegisterSheet,
    *,
    take_form: RegisterTakeForm | None = None,
    amend_form: RegisterAmendForm | None = None,
    errors: list[ErrorItem] | None = None,
    your_entries: dict[int, MarkInput] | None = None,
    status: int = 200,
) -> HttpResponse:
    form = take_form or amend_form
    fields = {r.row.enrolment.pk: r for r in form.rows()} if form is not None else {}
    rows = []
    for row in sheet.rows:
        pk = row.enrolment.pk
        entry = (your_entries or {}).get(pk)
        form_row = fields.get(pk)
        rows.append(
            RowView(
                enrolment=row.enrolment,
                mark=row.mark,
                meaning=_meaning(row.mark.code) if row.mark else "",
                code_field=form_row.code if form_row else None,
                minutes_field=form_row.minutes if form_row else None,
                your_entry=entry,
                your_meaning=_meaning(entry.code) if entry else "",
                amendments=list(row.mark.amendments.all()) if row.mark else [],
            )
        )
    context = {
        "nav": "registers",
        "sheet": sheet,
        "group": sheet.group,
        "school": sheet.group.school,
        "day": sheet.day,
        "session": sheet.session,
        "session_name": SESSION_NAMES[sheet.session],
        "rows": rows,
        "take_form": take_form,
        "amend_form": amend_form,
        "errors": errors or [],
        "conflict": your_entries is not None,
        "conflict_message": CONFLICT_MESSAGE,
        "code_groups": CODE_OPTION_GROUPS,
        "present_code": present_code(sheet.session),
        "held_count": sum(1 for r in sheet.rows if r.mark is not None),
        **_school_day_links(sheet),
    }
    return render(request, "registers/register.html", context, status=status)


def _render_conflict(
    request: HttpRequest,
    actor: Any,
    group_id: int,
    day: dt.date,
    session: Session,
    entries: dict[int, MarkInput],
    reason: str = "",
) -> HttpResponse:
    """The register as saved now, with the user's own entries beside it and, for those who may
    amend, an amend form already holding their entries."""
    sheet = selectors.register_sheet(actor, group_id, day, session)
    amend_form = None
    if scope_for(actor).can(Permission.REGISTER_AMEND, sheet.group.school_id):
        version = services.register_version(sheet.group, day, session)
        initial = amend_initial(sheet, version, entries)
        initial["reason"] = reason
        amend_form = RegisterAmendForm(initial=initial, sheet=sheet)
    return _render_register(request, sheet, amend_form=amend_form, your_entries=entries, status=409)


@require_http_methods(["GET", "HEAD", "POST"])
@scoped_view
def register(request: HttpRequest, group_id: int, day: dt.date, session: Session) -> HttpResponse:
    actor = actor_of(request)
    sheet = selectors.register_sheet(actor, group_id, day, session)
    group = sheet.group
    if not selectors.is_school_session(group.school, day, session):
        return render(
            request,
            "registers/not_school_session.html",
            {
                "nav": "registers",
                "group": group,
                "school": group.school,
                "day": day,
                "session_name": SESSION_NAMES[session],
                **_school_day_links(sheet),
            },
            status=200 if request.method != "POST" else 400,
        )
    can_amend = scope_for(actor).can(Permission.REGISTER_AMEND, group.school_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""

    if action == "all_present":
        if sheet.taken:
            return _render_conflict(
                request, actor, group_id, day, session, _posted_entries(request.POST, sheet)
            )
        form = RegisterTakeForm(initial=all_present_initial(request.POST, sheet), sheet=sheet)
        return _render_register(request, sheet, take_form=form)

    if action == "save":
        take_form = RegisterTakeForm(request.POST, sheet=sheet)
        errors = take_form.error_items() if not take_form.is_valid() else []
        if not errors:
            try:
                services.register_take(
                    actor=actor,
                    group=group,
                    day=day,
                    session=session,
                    entries=take_form.entries(),
                    version=take_form.cleaned_data["version"],
                )
            except RegisterConflict:
                return _render_conflict(
                    request, actor, group_id, day, session, _posted_entries(request.POST, sheet)
                )
            except RegisterError as exc:
                errors = [ErrorItem("#register-table", str(exc))]
            else:
                messages.success(
                    request,
                    f"{group.name} {SESSION_NAMES[session]} register saved for "
                    f"{day:%A} {day.day} {day:%B %Y}",
                )
                return redirect(request.path)
        if sheet.taken:
            return _render_conflict(
                request, actor, group_id, day, session, _posted_entries(request.POST, sheet)
            )
        return _render_register(request, sheet, take_form=take_form, errors=errors, status=400)

    if action == "amend":
        if not can_amend:
            raise NotFoundOrForbidden
        amend_form = RegisterAmendForm(request.POST, sheet=sheet)
        errors = amend_form.error_items() if not amend_form.is_valid() else []
        changes = amend_form.changes() if not errors else {}
        if not errors and not changes:
            errors = [ErrorItem("#register-table", "Change at least one mark to amend")]
        if not errors:
            try:
                count = services.register_amend(
                    actor=actor,
                    group=group,
                    day=day,
                    session=session,
                    changes=changes,
                    reason=amend_form.cleaned_data["reason"],
                    version=amend_form.cleaned_data["version"],
                )
            except RegisterConflict:
                return _render_conflict(
                    request,
                    actor,
                    group_id,
                    day,
                    session,
                    _posted_entries(request.POST, sheet),
                    reason=request.POST.get("reason", ""),
                )
            except RegisterError as exc:
                errors = [ErrorItem("#register-table", str(exc))]
            else:
                messages.success(request, f"{count} mark{'s' if count != 1 else ''} amended")
                return redirect(request.path)
        return _render_register(request, sheet, amend_form=amend_form, errors=errors, status=400)

    version = services.register_version(group, day, session)
    if not sheet.taken:
        return _render_register(
            request, sheet, take_form=RegisterTakeForm(initial={"version": version}, sheet=sheet)
        )
    amend = (
        RegisterAmendForm(initial=amend_initial(sheet, version), sheet=sheet) if can_amend else None
    )
    return _render_register(request, sheet, amend_form=amend)


# -------------------------------------------------------------------------------------------------
# Registers not taken
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingRow:
    group: RegistrationGroup
    pupils: int
    url: str


@scoped_view
def registers_missing(request: HttpRequest, school_id: int) -> HttpResponse:
    actor = actor_of(request)
    school = selectors.school_get_for(actor, school_id, Permission.REGISTER_MISSING_VIEW)
    now = timezone.localtime()
    day, session = now.date(), Session.AM if now.hour < 12 else Session.PM
    form = SessionChoiceForm(request.GET)
    if form.is_valid():
        day = form.cleaned_data["date"] or day
        session = Session(form.cleaned_data["session"] or session)
    missing = selectors.registers_missing(actor, school, day, session)
    rows = [MissingRow(m.group, m.pupils, _register_url(m.group, day, session)) for m in missing]
    errors = [ErrorItem(f"#id_{name}", str(e)) for name in form.errors for e in form.errors[name]]
    return render(
        request,
        "registers/registers_missing.html",
        {
            "nav": "registers",
            "school": school,
            "day": day,
            "session": session,
            "session_name": SESSION_NAMES[session],
            "rows": rows,
            "form": form,
            "errors": errors,
            "school_session": selectors.is_school_session(school, day, session),
        },
        status=200 if not errors else 400,
    )


# -------------------------------------------------------------------------------------------------
# A pupil's register
# -------------------------------------------------------------------------------------------------

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


@dataclass(frozen=True)
class GridCell:
    day: dt.date
    session: Session
    mark: Mark | None
    footnote: int | None


@dataclass(frozen=True)
class GridWeek:
    monday: dt.date
    cells: list[GridCell]


@dataclass(frozen=True)
class KeyRow:
    code: str
    meaning: str
    category: str


@dataclass(frozen=True)
class AmendedMark:
    footnote: int
    mark: Mark
    amendments: list[Amendment]


def _grid(
    marks: list[Mark], start: dt.date, end: dt.date
) -> tuple[list[GridWeek], list[AmendedMark], list[KeyRow]]:
    by_session = {(m.date, Session(m.session)): m for m in marks}
    amended: list[AmendedMark] = []
    footnotes: dict[int, int] = {}
    for m in marks:
        history = list(m.amendments.all())
        if history:
            footnotes[m.pk] = len(amended) + 1
            amended.append(AmendedMark(len(amended) + 1, m, history))
    weeks = []
    monday = week_of(start)
    while monday <= end:
        cells = []
        for offset in range(5):
            day = monday + dt.timedelta(days=offset)
            for session in Session:
                mark = by_session.get((day, session))
                cells.append(GridCell(day, session, mark, footnotes.get(mark.pk) if mark else None))
        weeks.append(GridWeek(monday, cells))
        monday += dt.timedelta(days=7)
    categories = list(Category)
    used = sorted(
        {c for c in (_code(m.code) for m in marks) if c is not None},
        key=lambda c: (categories.index(c.category), c.code),
    )
    key = [KeyRow(c.code, c.meaning, CATEGORY_LABELS[c.category]) for c in used]
    return weeks, amended, key


def marks_grid(enrolment: Any, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The context of ``registers/marks_grid.html`` for an enrolment's marks in [start, end]
    (the pupil register and the pupil page share it)."""
    marks = selectors.enrolment_marks(enrolment, start, end)
    weeks, amended, key = _grid(marks, start, end)
    columns = [(name, session) for name in WEEKDAYS for session in Session]
    return {"columns": columns, "weeks": weeks, "amended": amended, "key": key}


def _term_for(terms: list[CalendarEntry], day: dt.date) -> CalendarEntry | None:
    return next((t for t in terms if t.start_date <= day <= t.end_date), None)


@scoped_view
def pupil_register(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    actor = actor_of(request)
    enrolment = selectors.enrolment_get_for(actor, enrolment_id)
    audit_pupil_view(actor=actor, enrolment=enrolment)
    terms = selectors.school_terms(enrolment.school)
    form = TermChoiceForm(request.GET or None, terms=terms)
    today = timezone.localdate()
    chosen: CalendarEntry | None = None
    if form.is_bound and form.is_valid() and form.cleaned_data["term"]:
        chosen = next(t for t in terms if t.start_date == form.cleaned_data["term"])
    if chosen is None:
        chosen = _term_for(terms, today)
    if chosen is not None:
        start, end = chosen.start_date, chosen.end_date
        period = f"Term from {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    else:
        start, end = week_of(today) - dt.timedelta(weeks=12), today
        period = f"The last 13 weeks, from {start.day} {start:%B %Y}"
    grid = marks_grid(enrolment, start, end)
    return render(
        request,
        "registers/pupil_register.html",
        {
            "nav": "registers",
            "enrolment": enrolment,
            "pupil": enrolment.pupil,
            "form": form,
            "terms": terms,
            "chosen": chosen,
            "period": period,
            **grid,
            "errors": [ErrorItem("#id_term", str(e)) for e in form.errors.get("term", [])],
            "code_values": CODE_VALUES,
        },
    )
