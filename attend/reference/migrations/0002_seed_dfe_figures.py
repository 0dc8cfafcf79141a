"""Seed the national figures with the DfE's published figures listed in statutory-rules.md §2.1
(the "national sanity anchors"), each with its source. Dates are the data snapshot's where the
reference gives one; otherwise left empty (not recorded in the reference).

Reversing removes exactly these rows (matched on year, period, phase, measure and source)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import migrations

EES = "https://explore-education-statistics.service.gov.uk/find-statistics"
DASH = (
    "DfE attendance data dashboard, github.com/dfe-analytical-services/attendance-data-dashboard "
    "data/EES_ytd_data.csv"
)
DASH_HISTORY = DASH + " (git history)"
DASH_HEAD = DASH + " at commit 8f4979c0dfb9300d017e69b0c8e73072ae75e989"
AUTUMN_2324 = f"{EES}/pupil-absence-in-schools-in-england/2023-24-autumn-term"
AUTUMN_2425 = f"{EES}/pupil-absence-in-schools-in-england/2024-25-autumn-term"
WEEK_4 = f"{EES}/pupil-attendance-in-schools/2025-week-4"
WEEK_15 = f"{EES}/pupil-attendance-in-schools/2025-week-15"
EPI = "https://epi.org.uk/publications-and-research/absence-rates-fall-but-concerns-remain"
RISE = (
    "RISE dataset, https://explore-education-statistics.service.gov.uk/data-catalogue/data-set/"
    "e021823d-0141-4f84-8c2d-e4160679f8e8"
)

# (academic year start, period, period label, phase, measure, value, source, date)
FIGURES = [
    # 2023/24 full year (daily-data statistics, snapshot 2024-08-08)
    (2023, "full_year", "Full year (daily data, snapshot 2024-08-08)", "all", "overall_absence", "7.21", DASH_HISTORY, dt.date(2024, 8, 8)),
    (2023, "full_year", "Full year (daily data, snapshot 2024-08-08)", "all", "persistent_absence", "20.66", DASH_HISTORY, dt.date(2024, 8, 8)),
    # 2024/25 full year (daily data, snapshot 2025-08-07)
    (2024, "full_year", "Full year (daily data, snapshot 2025-08-07)", "all", "overall_absence", "6.87", DASH_HISTORY, dt.date(2025, 8, 7)),
    (2024, "full_year", "Full year (daily data, snapshot 2025-08-07)", "all", "persistent_absence", "18.70", DASH_HISTORY, dt.date(2025, 8, 7)),
    # 2025/26 year to date (snapshot 2026-07-23)
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "all", "overall_absence", "6.88", DASH_HEAD, dt.date(2026, 7, 23)),
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "all", "authorised_absence", "4.52", DASH_HEAD, dt.date(2026, 7, 23)),
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "all", "unauthorised_absence", "2.36", DASH_HEAD, dt.date(2026, 7, 23)),
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "all", "persistent_absence", "18.78", DASH_HEAD, dt.date(2026, 7, 23)),
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "primary", "overall_absence", "5.28", DASH_HEAD, dt.date(2026, 7, 23)),
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "primary", "persistent_absence", "13.77", DASH_HEAD, dt.date(2026, 7, 23)),
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "secondary", "overall_absence", "8.49", DASH_HEAD, dt.date(2026, 7, 23)),
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "secondary", "persistent_absence", "23.77", DASH_HEAD, dt.date(2026, 7, 23)),
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "special", "overall_absence", "13.17", DASH_HEAD, dt.date(2026, 7, 23)),
    (2025, "year_to_date", "Year to date (snapshot 2026-07-23)", "special", "persistent_absence", "36.06", DASH_HEAD, dt.date(2026, 7, 23)),
    # Autumn 2023/24 (census): 6.7%, down from 7.5% (autumn 2022/23)
    (2022, "autumn", "Autumn term (census)", "all", "overall_absence", "7.5", AUTUMN_2324, None),
    (2023, "autumn", "Autumn term (census)", "all", "overall_absence", "6.7", AUTUMN_2324, None),
    # Autumn 2024/25 (census): 6.38% (6.69% a year earlier)
    (2023, "autumn", "Autumn term (census, as given in the 2024/25 release)", "all", "overall_absence", "6.69", AUTUMN_2425, None),
    (2024, "autumn", "Autumn term (census)", "all", "overall_absence", "6.38", AUTUMN_2425, None),
    # Autumn 2024/25 (daily data)
    (2024, "autumn", "Autumn term (daily data)", "all", "overall_absence", "6.5", WEEK_4, None),
    (2024, "autumn", "Autumn term (daily data)", "all", "persistent_absence", "19.2", WEEK_4, None),
    # Spring 2024/25 (daily data), and spring 2023/24 from the same release
    (2024, "spring", "Spring term (daily data)", "all", "overall_absence", "7.0", WEEK_15, None),
    (2024, "spring", "Spring term (daily data)", "all", "persistent_absence", "20.3", WEEK_15, None),
    (2023, "spring", "Spring term (daily data)", "all", "overall_absence", "7.3", WEEK_15, None),
    (2023, "spring", "Spring term (daily data)", "all", "persistent_absence", "22.0", WEEK_15, None),
    # Spring 2023/24 (census)
    (2023, "spring", "Spring term (census)", "all", "overall_absence", "7.3", EPI, None),
    (2023, "spring", "Spring term (census)", "all", "persistent_absence", "21.5", EPI, None),
    # 2023/24 full year, all state-funded mainstream primary
    (2023, "full_year", "Full year (state-funded mainstream primary)", "primary", "overall_absence", "5.53", RISE, None),
    (2023, "full_year", "Full year (state-funded mainstream primary)", "primary", "persistent_absence", "14.56", RISE, None),
    (2023, "full_year", "Full year (state-funded mainstream primary)", "primary", "severe_absence", "0.85", RISE, None),
]  # fmt: skip


def seed(apps, schema_editor):
    NationalFigure = apps.get_model("reference", "NationalFigure")
    for year, period, label, phase, measure, value, source, published in FIGURES:
        NationalFigure.objects.get_or_create(
            academic_year=year,
            period=period,
            phase=phase,
            measure=measure,
            source=source,
            defaults={"period_label": label, "value": Decimal(value), "published": published},
        )


def unseed(apps, schema_editor):
    NationalFigure = apps.get_model("reference", "NationalFigure")
    for year, period, _label, phase, measure, _value, source, _published in FIGURES:
        NationalFigure.objects.filter(
            academic_year=year, period=period, phase=phase, measure=measure, source=source
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
