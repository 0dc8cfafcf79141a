"""The two formats of a subject access export, from the one object that
:func:`attend.audit.selectors.pupil_subject_access_data` gathers: JSON, and a PDF rendered by
WeasyPrint from the template ``audit/subject_access.html``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from attend.registers.domain import CODES, HISTORIC_CODES


def subject_access_json(data: dict[str, Any]) -> str:
    """One JSON object; keys in the order the selector gives them (stable), ISO dates."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _when(value: str | None) -> str:
    """An ISO datetime as local time to the minute, for reading."""
    if not value:
        return ""
    return f"{timezone.localtime(dt.datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"


def _changes(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {'' if v is None else v}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False)


def subject_access_context(data: dict[str, Any]) -> dict[str, Any]:
    """What the PDF template shows: the data, with times made readable and a key to the codes."""
    used: set[str] = set()
    enrolments = []
    for e in data["enrolments"]:
        marks = []
        for m in e["marks"]:
            used.add(m["code"])
            amendments = []
            for a in m["amendments"]:
                used.update((a["old_code"], a["new_code"]))
                amendments.append(
                    {
                        **a,
                        "old_recorded_at": _when(a["old_recorded_at"]),
                        "at": _when(a["amended_at"]),
                    }
                )
            marks.append({**m, "recorded_at": _when(m["recorded_at"]), "amendments": amendments})
        enrolments.append({**e, "marks": marks})
    known = {**HISTORIC_CODES, **CODES}
    key = [(c, known[c].meaning) for c in sorted(used) if c in known]
    events = [
        {
            **ev,
            "at": _when(ev["at"]),
            "before": _changes(ev["before"]),
            "after": _changes(ev["after"]),
        }
        for ev in data["audit_events"]
    ]
    return {
        "data": data,
        "pupil": data["pupil"],
        "enrolments": enrolments,
        "events": events,
        "key": key,
        "generated": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }


def subject_access_pdf(data: dict[str, Any]) -> bytes:
    """An A4 PDF of everything in ``data``, with page numbers."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only when used

    html = render_to_string("audit/subject_access.html", subject_access_context(data))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
