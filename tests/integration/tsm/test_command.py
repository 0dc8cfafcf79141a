"""`attend schedule-tsms --la CODE --year YEAR`: schedules once, refuses bad input in one line."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import call_command

from attend.audit.models import AuditEvent
from attend.tsm.models import TargetedSupportMeeting
from tests.integration.tsm.conftest import YEAR

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("schedule-tsms", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_schedules_the_year_once(tsm):
    code, out, err = run("--la", "938", "--year", str(YEAR))
    assert code == 0 and err == ""
    assert "9 meetings scheduled for 2025/26 (3 schools, three meetings each)" in out
    assert TargetedSupportMeeting.objects.filter(school__local_authority=tsm.la).count() == 9
    event = AuditEvent.objects.filter(action="tsm.schedule").first()
    assert event is not None and event.actor is None
    assert event.actor_name.startswith("schedule-tsms by ")
    code, out, _ = run("--la", "938", "--year", str(YEAR))
    assert code == 0 and "0 meetings scheduled" in out
    assert TargetedSupportMeeting.objects.count() == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--la", "999", "--year", "2025"), "--la '999': no local authority has that code"),
        (("--la", "938", "--year", "25"), "--year '25' is not an academic year"),
        (("--la", "938", "--year", "2025/26"), "--year '2025/26' is not an academic year"),
        (("--la", "938", "--year", "1999"), "Enter an academic year such as 2026"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(tsm, args, message):
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert err.count("\n") <= 1 and message in err
    assert not TargetedSupportMeeting.objects.exists()


def test_the_command_line_exit_status():
    """The real command line: a missing option is a usage error (status 2), no traceback."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "config.cli", "schedule-tsms", "--la", "938"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--year" in result.stderr and "Traceback" not in result.stderr
