"""`attend retention`: registers older than six academic years are removed on --apply only."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from attend.audit.domain import retention_cutoff
from attend.audit.models import AuditEvent
from attend.registers.models import Amendment, Mark, Register, SchoolWeekSummary, WeekSummary
from attend.registers.summaries import rebuild_all
from tests.factories import EnrolmentFactory, GroupFactory, MarkFactory, SchoolFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2032, 9, 10)  # cutoff 1 August 2026: 2025/26 and earlier ended before 10 Sep 2026


def test_cutoff_is_the_start_of_the_oldest_academic_year_kept():
    assert retention_cutoff(dt.date(2032, 9, 10)) == dt.date(2026, 8, 1)
    assert retention_cutoff(dt.date(2032, 7, 31)) == dt.date(2025, 8, 1)  # 2025/26 ends 31 Jul 26
    assert retention_cutoff(dt.date(2032, 8, 1)) == dt.date(2026, 8, 1)
    assert retention_cutoff(dt.date(2032, 2, 29)) == dt.date(2025, 8, 1)


@pytest.fixture
def data():
    school = SchoolFactory.create(urn="100001", name="Alpha Primary")
    group = GroupFactory.create(school=school)
    enrolment = EnrolmentFactory.create(
        school=school, registration_group=group, start_date=dt.date(2024, 9, 1)
    )
    old_days = [dt.date(2025, 9, 1), dt.date(2026, 7, 31)]  # 2025/26 (Friday 31 July)
    # 2026/27: Saturday 1 August 2026 shares the week of Monday 27 July with the last old mark.
    new_days = [dt.date(2026, 8, 1), dt.date(2026, 9, 7)]
    marks = {
        d: MarkFactory.create(enrolment=enrolment, date=d, session="AM", code="/") for d in old_days
    }
    marks.update(
        {
            d: MarkFactory.create(enrolment=enrolment, date=d, session="AM", code="/")
            for d in new_days
        }
    )
    for d in old_days + new_days:
        Register.objects.create(group=group, date=d, session="AM", taken_at=timezone.now())
    for d in (old_days[0], new_days[1]):
        Amendment.objects.create(
            mark=marks[d],
            old_code="N",
            old_recorded_at=timezone.now(),
            new_code="/",
            reason="Arrived",
            amended_by_name="Office",
            amended_at=timezone.now(),
        )
    rebuild_all()
    return enrolment, old_days, new_days


def run(*args):
    out = io.StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def counts():
    return (
        Register.objects.count(),
        Mark.objects.count(),
        Amendment.objects.count(),
        WeekSummary.objects.count(),
    )


def test_dry_run_prints_the_counts_and_removes_nothing(data):
    enrolment, _, _ = data
    before = counts()
    out = run("--as-of", AS_OF.isoformat())
    assert counts() == before
    assert "dated before 2026-08-01" in out
    assert "Dry run: nothing was removed" in out
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("100001"))
    assert row.split()[-5:] == ["2025/26", "2", "2", "1", "1"]
    assert lines[-2].split() == ["Total", "2", "2", "1", "1"]
    assert "Alpha Primary" in row
    assert enrolment.pupil.surname not in out and enrolment.pupil.upn not in out
    assert not AuditEvent.objects.exists()


def test_apply_removes_exactly_the_old_rows_and_records_it(data):
    enrolment, old_days, new_days = data
    out = run("--as-of", AS_OF.isoformat(), "--apply")
    assert "Removed, and recorded in the audit log" in out
    assert sorted(Mark.objects.values_list("date", flat=True)) == new_days
    assert sorted(Register.objects.values_list("date", flat=True)) == new_days
    assert list(Amendment.objects.values_list("mark__date", flat=True)) == [new_days[1]]
    # The week of 27 July 2026 is kept, recomputed from the mark left in it (1 August).
    weeks = dict(WeekSummary.objects.values_list("week", "present"))
    assert weeks == {dt.date(2026, 7, 27): 1, dt.date(2026, 9, 7): 1}
    summaries = sorted(WeekSummary.objects.values_list("week", "present", "n_present_am"))
    school_weeks = sorted(SchoolWeekSummary.objects.values_list("week", "present"))
    assert [week for week, _ in school_weeks] == sorted(weeks)
    rebuild_all()
    assert sorted(WeekSummary.objects.values_list("week", "present", "n_present_am")) == summaries
    assert sorted(SchoolWeekSummary.objects.values_list("week", "present")) == school_weeks
    event = AuditEvent.objects.get(action="retention.remove")
    assert event.actor is None and event.actor_name.startswith("retention by ")
    assert event.before["removed_before"] == "2026-08-01"
    assert event.before["totals"] == {
        "registers": 2,
        "marks": 2,
        "amendments": 1,
        "week summaries": 1,
    }
    assert event.before["by_school_year"] == [
        {
            "urn": "100001",
            "year": "2025/26",
            "registers": 2,
            "marks": 2,
            "amendments": 1,
            "week summaries": 1,
        }
    ]
    assert enrolment.pupil.upn not in str(event.before)
    assert enrolment.__class__.objects.filter(pk=enrolment.pk).exists()  # enrolments are kept
    assert "Nothing to remove." in run("--as-of", AS_OF.isoformat(), "--apply")


def test_nothing_old_enough(data):
    before = counts()
    assert "Nothing to remove." in run("--as-of", "2032-07-31", "--apply")
    assert counts() == before


def test_a_bad_date_is_refused():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not a date"):
        run("--as-of", "10/09/2032")
