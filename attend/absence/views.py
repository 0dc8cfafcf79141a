"""Follow-up pages: the office's worklist for a day, a pupil's follow-up, the school's settings.

Each view parses its input, calls one selector or service, and renders; out of scope is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from attend.absence import selectors, services
from attend.absence.forms import AttemptForm, ReasonForm, SettingsForm
from attend.absence.services import FollowUpError
from attend.audit.services import audit_pupil_view
from attend.core.exports import Table, export_format, table_response
from attend.core.views import ErrorItem, actor_of, scoped_view
from attend.registers.domain import CODES, HISTORIC_CODES
from attend.registers.services import RegisterConflict, RegisterError


def _meaning(code: str) -> str:
    found = CODES.get(code) or HISTORIC_CODES.get(code)
    return found.meaning if found else ""


def _day(request: HttpRequest) -> tuple[dt.date, list[ErrorItem]]:
    raw = request.GET.get("date", "")
    if not raw:
        return timezone.localdate(), []
    try:
        return dt.date.fromisoformat(raw), []
    except ValueError:
        return timezone.localdate(), [ErrorItem("#id_date", "Enter a date in the form YYYY-MM-DD")]


def _worklist_table(work: selectors.Worklist, which: str) -> Table:
    stamp = f"{work.school.urn}-{work.day.isoformat()}"
    if which == "illness":
        return Table(
            filename=f"repeated-illness-{stamp}",
            title="Repeated illness",
            header=["UPN", "Surname", "Forename", "Spells of illness this year"],
            rows=[
                [
                    r.enrolment.pupil.upn,
                    r.enrolment.pupil.surname,
                    r.enrolment.pupil.forename,
                    r.spells,
                ]
                for r in work.repeated_illness
            ],
        )
    if which == "overdue":
        return Table(
            filename=f"overdue-n-marks-{stamp}",
            title="Overdue N marks",
            header=["UPN", "Surname", "Forename", "Date", "Sessions", "Deadline"],
            rows=[
                [
                    item.enrolment.pupil.upn,
                    item.enrolment.pupil.surname,
                    item.enrolment.pupil.forename,
                    item.date,
                    " ".join(item.sessions),
                    item.deadline,
                ]
                for item in work.overdue
            ],
        )
    rows = []
    for row in work.rows:
        pupil, first = row.enrolment.pupil, (row.contacts[0] if row.contacts else None)
        last = row.last_attempt
        rows.append(
            [
                pupil.upn,
                pupil.surname,
                pupil.forename,
                row.enrolment.registration_group.name if row.enrolment.registration_group else "",
                " ".join(row.sessions),
                "; ".join(
                    [*row.flags.labels]
                    + ([f"{row.illness_spells} spells of illness"] if row.repeated_illness else [])
                ),
                row.days,
                row.previous_unexplained,
                f"{first.forename} {first.surname}" if first else "",
                first.phone if first else "",
                first.email if first else "",
                f"{last.get_method_display()}: {last.get_outcome_display()}" if last else "",
                row.step.label,
                row.deadline,
            ]
        )
    return Table(
        filename=f"absence-follow-up-{stamp}",
        title="Absence follow-up",
        header=[
            "UPN",
            "Surname",
            "Forename",
            "Group",
            "Sessions",
            "Flags",
            "School days unexplained",
            "Unexplained sessions earlier this year",
            "First contact",
            "Phone",
            "Email",
            "Last attempt",
            "Next step",
            "Resolve N by",
        ],
        rows=rows,
    )


@scoped_view
@require_http_methods(["GET", "POST"])
def worklist(request: HttpRequest, school_id: int) -> HttpResponse:
    actor = actor_of(request)
    day, errors = _day(request)
    if request.method == "POST":
        selectors.follow_up_school_get_for(actor, school_id)
        try:
            result = services.first_day_messages_send(actor=actor, school_id=school_id, day=day)
        except FollowUpError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, result.summary)
        return redirect(reverse("follow_up", args=[school_id]) + f"?date={day.isoformat()}")
    work = selectors.worklist_for(actor, school_id, day)
    fmt = export_format(request)
    if fmt:
        return table_response(_worklist_table(work, request.GET.get("table", "")), fmt)
    return render(
        request,
        "absence/worklist.html",
        {
            "nav": "registers",
            "work": work,
            "school": work.school,
            "day": day,
            "errors": errors,
            "unsent": sum(1 for r in work.rows if not r.first_day_sent),
            "query": f"date={day.isoformat()}",
        },
    )


@scoped_view
@require_http_methods(["GET", "POST"])
def pupil_follow_up(request: HttpRequest, enrolment_id: int, day: dt.date) -> HttpResponse:
    actor = actor_of(request)
    follow_up = selectors.pupil_follow_up(actor, enrolment_id, day)
    contacts = follow_up.row.contacts
    action = request.POST.get("action") if request.method == "POST" else None
    attempt_form = AttemptForm(
        request.POST if action == "attempt" else None, contacts=contacts, prefix="attempt"
    )
    reason_form = ReasonForm(
        request.POST if action == "reason" else None, contacts=contacts, prefix="reason"
    )
    errors: list[ErrorItem] = []
    here = reverse("follow_up_pupil", args=[enrolment_id, day])
    try:
        if action == "attempt" and attempt_form.is_valid():
            services.contact_attempt_record(
                actor=actor,
                enrolment_id=enrolment_id,
                day=day,
                method=attempt_form.cleaned_data["method"],
                outcome=attempt_form.cleaned_data["outcome"],
                contact_id=attempt_form.contact_id,
                contact_name=attempt_form.cleaned_data["contact_name"],
                note=attempt_form.cleaned_data["note"],
            )
            messages.success(request, "Contact attempt recorded")
            return redirect(here)
        if action == "reason" and reason_form.is_valid():
            code = reason_form.cleaned_data["code"]
            count = services.absence_reason_record(
                actor=actor,
                enrolment_id=enrolment_id,
                day=day,
                code=code,
                method=reason_form.cleaned_data["method"],
                contact_id=reason_form.contact_id,
                contact_name=reason_form.cleaned_data["contact_name"],
                note=reason_form.cleaned_data["note"],
            )
            messages.success(
                request,
                f"Reason recorded: {count} mark{'s' if count != 1 else ''} amended to {code}",
            )
            return redirect(here)
        if action == "overdue":
            count = services.overdue_n_resolve(actor=actor, enrolment_id=enrolment_id, day=day)
            messages.success(request, f"{count} mark{'s' if count != 1 else ''} amended to O")
            return redirect(here)
    except (FollowUpError, RegisterError) as exc:
        errors.append(ErrorItem("#main-content", str(exc)))
    except RegisterConflict:
        errors.append(ErrorItem("#main-content", "The register changed meanwhile: try again"))
    errors += attempt_form.error_items() if action == "attempt" else []
    errors += reason_form.error_items() if action == "reason" else []
    audit_pupil_view(actor=actor, enrolment=follow_up.enrolment, page="absence follow-up")
    return render(
        request,
        "absence/pupil.html",
        {
            "nav": "registers",
            "f": follow_up,
            "enrolment": follow_up.enrolment,
            "pupil": follow_up.enrolment.pupil,
            "day": day,
            "attempt_form": attempt_form,
            "reason_form": reason_form,
            "errors": errors,
            "marks": [(m, _meaning(m.code)) for m in follow_up.marks],
        },
        status=400 if errors else 200,
    )


@scoped_view
@require_http_methods(["GET", "POST"])
def follow_up_settings(request: HttpRequest, school_id: int) -> HttpResponse:
    actor = actor_of(request)
    school = selectors.follow_up_school_get_for(actor, school_id)
    current = selectors.settings_for(school)
    form = SettingsForm(
        request.POST or None,
        initial={
            "first_day_channel": current.first_day_channel,
            "office_phone": current.office_phone,
            "emergency_contacts_day": current.emergency_contacts_day,
            "home_visit_day": current.home_visit_day,
            "la_referral_day": current.la_referral_day,
            "illness_spells": current.illness_spells,
        },
    )
    errors: list[ErrorItem] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_settings_save(actor=actor, school_id=school_id, **form.cleaned_data)
        except FollowUpError as exc:
            errors.append(ErrorItem("#id_emergency_contacts_day", str(exc)))
        else:
            messages.success(request, "Follow-up settings saved")
            return redirect("follow_up", school_id=school_id)
    errors += form.error_items() if form.is_bound else []
    return render(
        request,
        "absence/settings.html",
        {"nav": "registers", "school": school, "form": form, "errors": errors},
        status=400 if errors else 200,
    )
