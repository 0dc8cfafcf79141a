"""The national reference figures: seeded with the DfE's figures, editable in the admin by
staff only, and loaded from a CSV file atomically."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from attend.audit.models import AuditEvent
from attend.reference.models import NationalFigure
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "academic_year,period,period_label,phase,measure,value,source,published"


def test_the_dfe_figures_are_seeded_with_their_sources() -> None:
    assert NationalFigure.objects.count() == 29
    full_year = {
        f.measure: f
        for f in NationalFigure.objects.filter(academic_year=2024, period="full_year", phase="all")
    }
    assert full_year["overall_absence"].value == Decimal("6.87")
    assert full_year["persistent_absence"].value == Decimal("18.70")
    assert "attendance-data-dashboard" in full_year["overall_absence"].source
    assert full_year["overall_absence"].published == dt.date(2025, 8, 7)
    ytd = NationalFigure.objects.filter(academic_year=2025, period="year_to_date")
    assert {(f.phase, f.measure): f.value for f in ytd} == {
        ("all", "overall_absence"): Decimal("6.88"),
        ("all", "authorised_absence"): Decimal("4.52"),
        ("all", "unauthorised_absence"): Decimal("2.36"),
        ("all", "persistent_absence"): Decimal("18.78"),
        ("primary", "overall_absence"): Decimal("5.28"),
        ("primary", "persistent_absence"): Decimal("13.77"),
        ("secondary", "overall_absence"): Decimal("8.49"),
        ("secondary", "persistent_absence"): Decimal("23.77"),
        ("special", "overall_absence"): Decimal("13.17"),
        ("special", "persistent_absence"): Decimal("36.06"),
    }
    severe = NationalFigure.objects.get(measure="severe_absence")
    assert (severe.academic_year, severe.phase, severe.value) == (2023, "primary", Decimal("0.85"))
    assert all(f.source for f in NationalFigure.objects.all())


def test_an_administrator_edits_a_figure_in_the_admin_and_it_is_audited(client) -> None:
    figure = NationalFigure.objects.get(
        academic_year=2024, period="full_year", measure="overall_absence"
    )
    admin = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:reference_nationalfigure_change", args=[figure.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "academic_year": "2024",
            "period": "full_year",
            "period_label": "Full year (revised)",
            "phase": "all",
            "measure": "overall_absence",
            "value": "6.90",
            "source": figure.source,
            "published": "2025-09-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure.refresh_from_db()
    assert (figure.value, figure.period_label) == (Decimal("6.90"), "Full year (revised)")
    event = AuditEvent.objects.get(action="national_figure.change")
    assert event.before["value"] == "6.87" and event.after["value"] == "6.90"
    assert event.actor == admin
    # A value over 100 is refused.
    response = client.post(url, {**response.wsgi_request.POST.dict(), "value": "101"})
    assert response.status_code == 200
    figure.refresh_from_db()
    assert figure.value == Decimal("6.90")


def test_the_admin_is_not_for_school_staff_or_governors(client) -> None:
    governor = MembershipFactory.create(role="governor", user__is_staff=False).user
    client.force_login(governor)
    response = client.get(reverse("admin:reference_nationalfigure_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def _import(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", "national-figures", str(path), stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_csv_file_adds_and_updates_figures_idempotently(tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "2025/26,autumn,Autumn term (census),all,overall_absence,6.10,EES 2025-26 autumn,"
                "2026-05-21",
                "2025/26,autumn,Autumn term (census),primary,persistent_absence,12.5%,"
                "EES 2025-26 autumn,",
                '2024/25,full_year,Full year (daily data),all,overall_absence,6.87,"'
                + NationalFigure.objects.get(
                    academic_year=2024, period="full_year", measure="overall_absence"
                ).source
                + '",2025-08-07',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, err = _import(path)
    assert code == 0, err
    assert "3 rows; 2 created, 1 updated, 0 unchanged" in out  # the label of the seeded row
    assert NationalFigure.objects.count() == 31
    added = NationalFigure.objects.get(academic_year=2025, period="autumn", phase="primary")
    assert added.value == Decimal("12.50") and added.published is None
    code, out, _ = _import(path)
    assert code == 0 and "0 created, 0 updated, 3 unchanged" in out
    assert AuditEvent.objects.filter(action="national_figures.import").count() == 2


def test_a_bad_file_names_each_line_and_column_and_writes_nothing(tmp_path: Path) -> None:
    before = list(NationalFigure.objects.values_list("pk", "value", "period_label"))
    path = tmp_path / "bad.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "2025/26,autumn,Autumn term,all,overall_absence,6.10,EES,",  # good
                "2025/27,autumn,Autumn term,all,overall_absence,6.10,EES,",
                "2025/26,winter,Winter,all,overall_absence,6.10,EES,",
                "2025/26,autumn,Autumn term,nursery,overall_absence,6.10,EES,",
                "2025/26,autumn,Autumn term,all,lateness,6.10,EES,",
                "2025/26,autumn,Autumn term,all,authorised_absence,101,EES,",
                "2025/26,autumn,Autumn term,all,unauthorised_absence,2.345,EES,",
                "2025/26,autumn,Autumn term,all,persistent_absence,lots,EES,2026-13-01",
                "2025/26,autumn,Autumn term,all,overall_absence,6.2,EES,",  # again
                "2025/26,autumn,,all,severe_absence,1.0,,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    code, _, err = _import(path)
    assert code == 1
    assert "bad.csv: " in err and "nothing was imported" in err
    for expected in [
        "line 3, column academic_year: '2025/27': the second year must follow the first",
        "line 4, column period: 'winter' is not one of",
        "line 5, column phase: 'nursery' is not one of",
        "line 6, column measure: 'lateness' is not one of",
        "line 7, column value: '101' is not a percentage from 0 to 100",
        "line 8, column value: '2.345' has more than 2 decimal places",
        "line 9, column value: 'lots' is not a number",
        "line 9, column published: '2026-13-01' is not a date",
        "line 10, column measure: the same figure (year, period, phase, measure, source) is also "
        "on line 2",
        "line 11, column period_label: is required",
        "line 11, column source: is required",
    ]:
        assert expected in err, expected
    assert list(NationalFigure.objects.values_list("pk", "value", "period_label")) == before
    assert not AuditEvent.objects.filter(action="national_figures.import").exists()


def test_a_file_with_a_missing_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("academic_year,period,phase,measure,value\n2025/26,autumn,all,x,1\n")
    code, _, err = _import(path)
    assert code == 1
    assert "line 1, column source: required column is missing" in err
    assert "line 1, column period_label: required column is missing" in err
    assert NationalFigure.objects.count() == 29
