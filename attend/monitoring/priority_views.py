"""The LA's priorities page for LA administrators (LA_SETTINGS_MANAGE): the list, and one
priority's title, order, target and whether the overview shows it."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from attend.core.exceptions import NotFoundOrForbidden
from attend.core.views import ErrorItem, actor_of, scoped_view
from attend.monitoring import priorities


class PriorityForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the title"})
    order = forms.IntegerField(
        min_value=1,
        max_value=999,
        error_messages={
            "required": "Enter the place in the list",
            "invalid": "The place in the list must be a whole number",
            "min_value": "The place in the list must be 1 or more",
            "max_value": "The place in the list must be 999 or less",
        },
    )
    target = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        error_messages={
            "invalid": "The target must be a percentage, like 5.5",
            "min_value": "The target must be between 0 and 100",
            "max_value": "The target must be between 0 and 100",
            "max_decimal_places": "The target has at most 2 decimal places",
        },
    )
    active = forms.BooleanField(required=False)


@scoped_view
def la_priorities(request: HttpRequest) -> HttpResponse:
    la, found, flags = priorities.priority_list_for(actor_of(request))
    return render(
        request,
        "monitoring/priorities.html",
        {
            "nav": "registers",
            "la": la,
            "priorities": found,
            "flags": flags,
            "saved": request.GET.get("saved") == "1",
        },
    )


@scoped_view
@require_http_methods(["GET", "HEAD", "POST"])
def la_priority(request: HttpRequest, priority_id: int) -> HttpResponse:
    actor = actor_of(request)
    la, found, _ = priorities.priority_list_for(actor)
    priority = next((p for p in found if p.pk == priority_id), None)
    if priority is None:
        raise NotFoundOrForbidden
    if request.method == "POST":
        form = PriorityForm(request.POST)
        if form.is_valid():
            priorities.priority_update(
                actor=actor,
                priority_id=priority.pk,
                title=form.cleaned_data["title"],
                order=form.cleaned_data["order"],
                target=form.cleaned_data["target"],
                active=form.cleaned_data["active"],
            )
            return HttpResponseRedirect(reverse("la_priorities") + "?saved=1")
    else:
        form = PriorityForm(
            initial={
                "title": priority.title,
                "order": priority.order,
                "target": priority.target,
                "active": priority.active,
            }
        )
    errors = [ErrorItem(f"#id_{name}", str(e)) for name in form.errors for e in form.errors[name]]
    return render(
        request,
        "monitoring/priority.html",
        {"nav": "registers", "la": la, "priority": priority, "form": form, "errors": errors},
        status=400 if errors else 200,
    )
