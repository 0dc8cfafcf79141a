"""`attend demo` loads a demo LA through the real imports; `attend demo-logins` lists the logins."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Sum

from attend.accounts.models import Membership, User
from attend.accounts.roles import Role
from attend.accounts.scope import scope_for
from attend.organisations.models import CalendarEntry, School
from attend.pupils.models import Contact, Enrolment, Pupil
from attend.registers import summaries
from attend.registers.demo import DEMO_PASSWORD, DEMO_USERS, generate, mark_paths, term_dates
from attend.registers.models import Mark, SchoolSessionSummary, SchoolWeekSummary, WeekSummary
from attend.registers.selectors import enrolments_for

pytestmark = pytest.mark.django_db

UNTIL = dt.date(2026, 11, 20)


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(**options) -> str:
    out = io.StringIO()
    call_command("demo", schools=2, pupils=30, seed=1, until=UNTIL, stdout=out, **options)
    return out.getvalue()


def snapshot() -> list[list[tuple]]:
    """Every summary table, as sorted rows."""
    tables = []
    for model in (WeekSummary, SchoolWeekSummary, SchoolSessionSummary):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        tables.append(sorted(model.objects.values_list(*fields)))
    return tables


def test_demo_loads_a_local_authority_through_the_imports(fast_passwords):
    out = run_demo()
    assert "Demo local authority loaded" in out

    assert set(School.objects.values_list("phase", flat=True)) == {"primary", "secondary"}
    assert set(School.objects.values_list("local_authority__code", flat=True)) == {"938"}
    assert CalendarEntry.objects.filter(kind="closure", session="PM").count() == 4  # 2 years
    assert Pupil.objects.count() >= 50
    assert Enrolment.objects.count() >= Pupil.objects.count()
    assert Contact.objects.count() >= Pupil.objects.count()
    assert Mark.objects.filter(date__gt=UNTIL).count() == 0
    assert Mark.objects.filter(date=term_dates(2026).terms[0][0], code="#").exists()
    assert Mark.objects.count() > 5000
    # Last school year's marks too, for the dashboard's weeks against last year.
    last_year = Mark.objects.filter(date__gte=dt.date(2025, 8, 1), date__lt=dt.date(2026, 8, 1))
    assert last_year.filter(date__month=9).exists() and last_year.filter(date__month=7).exists()

    # The weekly summaries kept by the imports equal a rebuild from the marks.
    before = snapshot()
    assert all(before)
    summaries.rebuild_all()
    assert snapshot() == before

    totals = WeekSummary.objects.aggregate(
        present=Sum("present"), aea=Sum("aea"), auth=Sum("authorised"), unauth=Sum("unauthorised")
    )
    possible = totals["present"] + totals["aea"] + totals["auth"] + totals["unauth"]
    rate = (totals["present"] + totals["aea"]) / possible
    assert 0.85 <= rate <= 0.97, rate

    for spec in DEMO_USERS:
        assert authenticate(username=spec.username, password=DEMO_PASSWORD), spec.username
    # A demo login for every role, and a parent with a child to see.
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        if spec.role in (Role.GOVERNOR, Role.LA_ADMIN):  # aggregates only
            assert scope_for(user).school_ids and not enrolments_for(user).exists()
        elif spec.level != "admin":
            assert enrolments_for(user).exists(), spec.username
    assert scope_for(User.objects.get(username="socialworker")).pupil_ids
    assert scope_for(User.objects.get(username="parent")).pupil_ids
    trust_schools = set(School.objects.filter(trust__isnull=False).values_list("pk", flat=True))
    assert (
        trust_schools and scope_for(User.objects.get(username="trust")).school_ids == trust_schools
    )
    assert authenticate(username="teacher", password="wrong") is None
    teacher = Membership.objects.get(user__username="teacher")
    assert teacher.role == Role.TEACHER and teacher.groups.count() == 1
    assert teacher.groups.get().school == teacher.school
    head = User.objects.get(username="head")
    assert head.position == "Headteacher"
    assert Membership.objects.get(user=head).role == Role.SENIOR
    assert Membership.objects.get(user__username="office2").school != teacher.school
    assert User.objects.get(username="admin").is_superuser

    counts = (
        School.objects.count(),
        Pupil.objects.count(),
        Mark.objects.count(),
        User.objects.count(),
    )
    out = run_demo(if_empty=True)
    assert "Database already has data; demo not loaded" in out
    assert counts == (
        School.objects.count(),
        Pupil.objects.count(),
        Mark.objects.count(),
        User.objects.count(),
    )

    logins = io.StringIO()
    call_command("demo-logins", stdout=logins)
    text = logins.getvalue()
    assert "teacher2" in text and DEMO_PASSWORD in text and "http://127.0.0.1:8000/" in text


def test_generate_covers_every_phase_and_is_reproducible(tmp_path):
    first = generate(tmp_path / "a", schools=6, pupils_per_school=20, seed=7, until=UNTIL)
    again = generate(tmp_path / "b", schools=6, pupils_per_school=20, seed=7, until=UNTIL)
    for name, path in first.items():
        assert path.read_bytes() == again[name].read_bytes(), name
    schools = first["schools"].read_text().splitlines()[1:]
    assert {line.rsplit(",", 1)[1] for line in schools} == {
        "nursery",
        "primary",
        "secondary",
        "all-through",
        "special",
        "alternative-provision",
    }
    monthly = generate(
        tmp_path / "c", schools=2, pupils_per_school=10, seed=7, until=UNTIL, marks_files="monthly"
    )
    assert [p.name for p in mark_paths(monthly)] == [
        "marks-2026-09.csv",
        "marks-2026-10.csv",
        "marks-2026-11.csv",
    ]


def test_term_dates_of_2026_27():
    dates = term_dates(2026)
    assert dates.terms[0] == (dt.date(2026, 9, 2), dt.date(2026, 12, 18))
    assert dates.breaks[0] == (dt.date(2026, 10, 26), dt.date(2026, 10, 30))
    assert dates.terms[1][0] == dt.date(2027, 1, 5)
