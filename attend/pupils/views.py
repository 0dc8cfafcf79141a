"""The flags pages of a school: list and create flags, put pupils in a flag by UPN, end a pupil's
flag. Each view parses its form, calls one selector or service (attend.pupils.flags) and renders;
out of scope is a 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from attend.core.views import ErrorItem, actor_of, scoped_view
from attend.pupils import flags
from attend.pupils.forms import FlagCreateForm, PupilFlagEndForm, PupilFlagsAddForm


def _errors(form: Any, extra: flags.FlagInputError | None = None) -> list[ErrorItem]:
    items = [
        ErrorItem(f"#id_{name}", str(error))
        for name in form.errors
        if name != "__all__"
        for error in form.errors[name]
    ]
    if extra is not None:
        items += [ErrorItem(f"#id_{extra.field}", message) for message in extra.messages]
    return items


@scoped_view
@require_http_methods(["GET", "HEAD", "POST"])
def school_flags(request: HttpRequest, school_id: int) -> HttpResponse:
    actor = actor_of(request)
    school, lines = flags.flag_list_for(actor, school_id)
    form = FlagCreateForm(request.POST if request.method == "POST" else None)
    errors: list[ErrorItem] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                flag = flags.flag_create(
                    actor=actor,
                    school_id=school.pk,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except flags.FlagInputError as exc:
                form.add_error(exc.field, exc.messages)
            else:
                return HttpResponseRedirect(reverse("school_flag", args=[school.pk, flag.pk]))
        errors = _errors(form)
    return render(
        request,
        "pupils/flags.html",
        {"nav": "registers", "school": school, "lines": lines, "form": form, "errors": errors},
        status=400 if errors else 200,
    )


@scoped_view
@require_http_methods(["GET", "HEAD", "POST"])
def school_flag(request: HttpRequest, school_id: int, flag_id: int) -> HttpResponse:
    actor = actor_of(request)
    school, flag, lines = flags.flag_for(actor, school_id, flag_id)
    today = timezone.localdate()
    form = PupilFlagsAddForm(
        request.POST if request.method == "POST" else None,
        initial={"start": today.isoformat()},
    )
    errors: list[ErrorItem] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                flags.pupil_flags_add(
                    actor=actor,
                    school_id=school.pk,
                    flag_id=flag.pk,
                    upns=form.upn_list(),
                    start=form.cleaned_data["start"],
                )
            except flags.FlagInputError as exc:
                form.add_error(exc.field, exc.messages)
            else:
                return HttpResponseRedirect(
                    reverse("school_flag", args=[school.pk, flag.pk]) + "?added=1"
                )
        errors = _errors(form)
    return render(
        request,
        "pupils/flag.html",
        {
            "nav": "registers",
            "school": school,
            "flag": flag,
            "lines": lines,
            "form": form,
            "errors": errors,
            "added": request.GET.get("added") == "1",
            "ended": request.GET.get("ended") == "1",
        },
        status=400 if errors else 200,
    )


@scoped_view
@require_http_methods(["GET", "HEAD", "POST"])
def school_flag_end(
    request: HttpRequest, school_id: int, flag_id: int, pupil_flag_id: int
) -> HttpResponse:
    actor = actor_of(request)
    school, flag, pupil_flag = flags.pupil_flag_for(actor, school_id, flag_id, pupil_flag_id)
    today = timezone.localdate()
    form = PupilFlagEndForm(
        request.POST if request.method == "POST" else None,
        initial={"end": max(today, pupil_flag.start_date).isoformat()},
    )
    errors: list[ErrorItem] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                flags.pupil_flag_end(
                    actor=actor,
                    school_id=school.pk,
                    flag_id=flag.pk,
                    pupil_flag_id=pupil_flag.pk,
                    end=form.cleaned_data["end"],
                )
            except flags.FlagInputError as exc:
                form.add_error(exc.field, exc.messages)
            else:
                return HttpResponseRedirect(
                    reverse("school_flag", args=[school.pk, flag.pk]) + "?ended=1"
                )
        errors = _errors(form)
    return render(
        request,
        "pupils/flag_end.html",
        {
            "nav": "registers",
            "school": school,
            "flag": flag,
            "pupil_flag": pupil_flag,
            "form": form,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
