"""The termly governors' report: its content (read with pdftotext), suppression, the command that
stores one per school, and the downloads from the governors' view."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from attend.audit.models import AuditEvent
from attend.governors.models import GovernorsReport
from attend.pupils.models import Pupil
from tests.integration.governors.conftest import GovernorsLA

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    done = subprocess.run(  # noqa: S603
        ["pdftotext", "-", "-"],  # noqa: S607  # poppler-utils (make system-packages)
        input=content,
        capture_output=True,
        check=True,
    )
    return " ".join(done.stdout.decode().split())  # words in reading order, one space apart


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("governors-reports", *args, stdout=out)
    return out.getvalue()


def _assert_aggregates_only(text: str) -> None:
    for pupil in Pupil.objects.all():
        assert pupil.upn not in text
        assert pupil.surname not in text and pupil.forename not in text
    for urn in ("100002", "100004", "100005", "100003", "999001"):
        assert f"School {urn}" not in text


def test_the_report_reads_well_and_names_no_pupil(gla: GovernorsLA) -> None:
    assert "1 report(s) made" in _run("--term", "autumn", "--year", "2025", "--la", "888")
    out = _run("--term", "autumn", "--year", "2025", "--la", "938")
    assert "100001: made the Autumn term 2025/26 report" in out
    assert "5 report(s) made, 0 skipped." in out
    report = GovernorsReport.objects.get(school__urn="100001")
    assert (report.start_date.isoformat(), report.end_date.isoformat()) == (
        "2025-09-01",
        "2025-12-19",
    )
    text = pdf_text(bytes(report.pdf))
    assert "School 100001 (URN 100001) · Demoshire" in text
    assert "Attendance report for governors" in text
    assert "Autumn term 2025/26: 1 September 2025 to 19 December 2025" in text
    assert "Page 1 of" in text and "Page 2 of" in text
    for heading in (
        "Headline figures",
        "How the school compares",
        "The five attendance categories",
        "Absence by reason",
        "By week",
    ):
        assert heading in text, heading
    # The measures are explained.
    assert "missed 10% or more of their own possible sessions" in text
    # 12 pupils; 3 in the persistent category: withheld, with a second category.
    assert "fewer than 5" in text
    categories = text[text.index("The five attendance categories") :]
    assert "Expected attendance" in categories and "fewer than 5" in categories
    assert "3 other primary schools in Demoshire" in text
    assert "of 4 primary schools by attendance" in text
    assert "attendance-data-dashboard" in text  # the national figures' source
    _assert_aggregates_only(text)


def test_the_command_skips_stored_reports_and_regenerates_on_request(gla: GovernorsLA) -> None:
    _run("--term", "autumn", "--year", "2025")
    assert GovernorsReport.objects.count() == 6
    first = {r.pk: r.generated_at for r in GovernorsReport.objects.all()}
    out = _run("--term", "autumn", "--year", "2025")
    assert "0 report(s) made, 6 skipped." in out
    assert {r.pk: r.generated_at for r in GovernorsReport.objects.all()} == first
    assert AuditEvent.objects.filter(action="governors_report.generate").count() == 6
    out = _run("--term", "autumn", "--year", "2025", "--la", "888", "--regenerate")
    assert "1 report(s) made" in out
    assert AuditEvent.objects.filter(action="governors_report.regenerate").count() == 1
    event = AuditEvent.objects.get(action="governors_report.regenerate")
    assert event.school_id == gla.school("999001").pk and event.actor is None
    assert event.actor_name.startswith("governors-reports by ")
    assert GovernorsReport.objects.count() == 6


def test_without_a_term_each_school_gets_the_term_just_ended(gla: GovernorsLA) -> None:
    _run()
    reports = list(GovernorsReport.objects.select_related("school"))
    assert len(reports) == 6
    from django.utils import timezone

    today = timezone.localdate()
    assert all(r.end_date < today for r in reports)
    assert len({(r.academic_year, r.term) for r in reports}) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--term", "autumn"], "--term and --year go together"),
        (["--year", "2025"], "--term and --year go together"),
        (["--term", "autumn", "--year", "1925"], "give the year the academic year starts"),
        (["--la", "999"], "--la 999: no local authority with that code"),
        (["--term", "summer", "--year", "2099"], "has not ended"),
        (["--term", "winter", "--year", "2025"], "invalid choice: 'winter'"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(gla: GovernorsLA, args, message) -> None:
    with pytest.raises(CommandError) as caught:
        _run(*args)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value).strip()
    if "winter" not in args:  # argparse's own errors: Django exits 2 for those too
        assert caught.value.returncode == 2
    assert not GovernorsReport.objects.exists()


def test_governors_download_the_report_on_demand_and_the_stored_ones(
    gla: GovernorsLA, client
) -> None:
    school = gla.school("100001")
    governor = gla.member("governor", school=school)
    client.force_login(governor)
    view = reverse("governors_view", args=[school.pk])
    html = client.get(view, {"from": "2025-09-01", "to": "2025-12-19"}).content.decode()
    on_demand = reverse("governors_termly_report", args=[school.pk, 2025, "autumn"])
    assert on_demand in html
    assert "No report has been made at the end of a term yet" in html

    response = client.get(on_demand)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Autumn term 2025/26" in text and "fewer than 5" in text
    _assert_aggregates_only(text)
    event = AuditEvent.objects.get(action="governors_report.download")
    assert event.actor == governor and event.after["on_demand"] is True

    _run("--term", "autumn", "--year", "2025")
    html = client.get(view, {"from": "2025-09-01", "to": "2025-12-19"}).content.decode()
    stored = GovernorsReport.objects.get(school=school)
    url = reverse("governors_stored_report", args=[school.pk, stored.pk])
    assert url in html and "Reports made at the end of each term" in html
    response = client.get(url)
    assert response.status_code == 200 and response.content == bytes(stored.pdf)
    assert AuditEvent.objects.filter(action="governors_report.download").count() == 2
    # Another school's report, through this school's URL or its own: a 404.
    other = GovernorsReport.objects.get(school__urn="100002")
    assert (
        client.get(reverse("governors_stored_report", args=[school.pk, other.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("governors_stored_report", args=[other.school_id, other.pk])).status_code
        == 404
    )
    # A term that has not started: a 404.
    assert (
        client.get(reverse("governors_termly_report", args=[school.pk, 2099, "autumn"])).status_code
        == 404
    )
