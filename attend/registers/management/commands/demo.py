"""`attend demo`: load a demo local authority through the real imports, and the demo logins."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from attend.absence.models import FollowUpSettings
from attend.accounts.auth import DEMO_DEVICE_NAME, demo_totp_key
from attend.accounts.models import CaseloadEntry, Membership, User
from attend.accounts.roles import Role
from attend.core.exceptions import ImportRejected
from attend.core.results import ImportResult
from attend.organisations.models import RegistrationGroup, School, Trust
from attend.organisations.services import calendar_import, schools_import
from attend.pupils.flags import demo_flags_set
from attend.pupils.models import Contact, Enrolment, Pupil
from attend.pupils.services import contacts_import, pupils_import
from attend.registers.demo import DEMO_PASSWORD, DEMO_USERS, DemoUser, generate, mark_paths
from attend.registers.domain import academic_year_start
from attend.registers.models import Mark, WeekSummary
from attend.registers.services import marks_import
from attend.tsm.demo import tsm_demo


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = (
        "Generate a demo local authority (schools of every phase, pupils, contacts, calendars and "
        "the marks of last school year and of this one up to yesterday) and load it through the "
        "real imports, "
        f"with demo logins (password {DEMO_PASSWORD!r}; see `attend demo-logins`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=6, help="Number of schools (6)")
        parser.add_argument(
            "--pupils", type=int, default=120, help="Average pupils per school (120)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (2026)")
        parser.add_argument(
            "--until", type=_date, help="Last day with marks, YYYY-MM-DD (default: yesterday)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any school exists already"
        )

    def handle(
        self,
        *args: Any,
        schools: int,
        pupils: int,
        seed: int,
        until: dt.date | str | None = None,
        if_empty: bool = False,
        **options: Any,
    ) -> None:
        started = time.monotonic()
        if if_empty and School.objects.exists():
            self.stdout.write("Database already has data; demo not loaded")
            return
        if isinstance(until, str):
            until = _date(until)
        today = timezone.localdate()
        until = until or today - dt.timedelta(days=1)
        if until > today:
            raise CommandError(f"--until {until} is in the future.")
        if schools < 1 or pupils < 1:
            raise CommandError("--schools and --pupils must be at least 1.")

        with tempfile.TemporaryDirectory(prefix="attend-demo-") as tmp:
            paths = generate(
                Path(tmp),
                schools=schools,
                pupils_per_school=pupils,
                seed=seed,
                until=until,
                marks_files="monthly",
                previous_year=True,
            )
            with paths["schools"].open(encoding="utf-8", newline="") as handle:
                urns = [row["urn"] for row in csv.DictReader(handle)]
            steps = [
                (schools_import, paths["schools"]),
                (calendar_import, paths["calendar"]),
                (pupils_import, paths["pupils"]),
                (contacts_import, paths["contacts"]),
                *((marks_import, path) for path in mark_paths(paths)),
            ]
            try:
                with transaction.atomic():
                    for service, path in steps:
                        if service is marks_import:
                            result: ImportResult = marks_import(path=path, by="attend demo")
                        else:
                            result = service(path=path)
                        if options.get("verbosity", 1) >= 2:
                            self.stdout.write(str(result))
                    self._users(urns)
                    # Every school's office number, quoted in first-day absence messages.
                    for n, school in enumerate(School.objects.filter(urn__in=urns)):
                        FollowUpSettings.objects.get_or_create(
                            school=school, defaults={"office_phone": f"01632 960{n:03d}"}
                        )
                    tsm_demo(today=until + dt.timedelta(days=1))
                    demo_flags_set(
                        list(School.objects.filter(urn__in=urns).values_list("pk", flat=True)),
                        until,
                    )
            except ImportRejected as exc:
                raise CommandError(
                    f"The demo data was refused (nothing was loaded):\n{exc}"
                ) from exc

        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Demo local authority loaded in {elapsed:.1f} s: "
            f"{School.objects.count()} schools, {Pupil.objects.count():,} pupils, "
            f"{Enrolment.objects.count():,} enrolments, {Mark.objects.count():,} marks "
            f"to {until:%a %d %b %Y}, {WeekSummary.objects.count():,} weekly summaries, "
            f"{User.objects.filter(username__in=[u.username for u in DEMO_USERS]).count()} logins "
            "(see `attend demo-logins`)."
        )

    def _users(self, urns: list[str]) -> None:
        by_urn = {s.urn: s for s in School.objects.filter(urn__in=urns)}
        schools = [by_urn[urn] for urn in urns]
        la = schools[0].local_authority
        trust = _demo_trust(schools[1:3]) if len(schools) > 1 else None
        for spec in DEMO_USERS:
            if spec.level in ("school", "parent") and (spec.school or 0) >= len(schools):
                continue
            if spec.level == "trust" and trust is None:
                continue
            user = _user(spec)
            if spec.level == "school":
                school = schools[spec.school or 0]
                membership, _ = Membership.objects.get_or_create(
                    user=user, school=school, role=Role(spec.role)
                )
                if spec.role == Role.TEACHER:
                    membership.groups.set([_teacher_group(school)])
            elif spec.level == "trust":
                Membership.objects.get_or_create(user=user, trust=trust, role=Role(spec.role))
            elif spec.level == "la":
                Membership.objects.get_or_create(
                    user=user, local_authority=la, role=Role(spec.role)
                )
                if spec.role == Role.SOCIAL_WORKER:
                    _caseload(user, schools)
            elif spec.level == "parent":
                _parent(user, schools[spec.school or 0])


def _demo_trust(schools: list[School]) -> Trust:
    """The demo trust: the second and third schools (as if they were academies)."""
    trust, _ = Trust.objects.get_or_create(
        companies_house_number="09999999", defaults={"name": "Demo Learning Trust"}
    )
    School.objects.filter(pk__in=[s.pk for s in schools]).update(trust=trust)
    return trust


def _caseload(user: User, schools: list[School]) -> None:
    """The social worker's caseload: up to five pupils of the demo schools with a social worker."""
    today = timezone.localdate()
    pupils = (
        Pupil.objects.with_characteristic(["social_worker", "cin_plan", "cp_plan"], today)
        .filter(enrolments__school__in=schools)
        .distinct()
        .order_by("surname", "forename")[:5]
    )
    start = academic_year_start(today)
    for pupil in pupils:
        CaseloadEntry.objects.get_or_create(user=user, pupil=pupil, defaults={"start_date": start})


def _parent(user: User, school: School) -> None:
    """The parent: the first contact with parental responsibility of a pupil at the school."""
    if Contact.objects.filter(user=user).exists():
        return
    contact = (
        Contact.objects.filter(
            parental_responsibility=True, pupil__enrolments__school=school, user__isnull=True
        )
        .order_by("pupil__surname", "pupil__forename", "priority")
        .first()
    )
    if contact is None:
        raise CommandError(f"No contact with parental responsibility at {school.urn}.")
    contact.user = user
    contact.save(update_fields=["user"])
    user.first_name, user.last_name = contact.forename, contact.surname
    user.save(update_fields=["first_name", "last_name"])


def _user(spec: DemoUser) -> User:
    user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
    user.first_name, user.last_name, user.position = spec.first_name, spec.last_name, spec.position
    user.email = f"{spec.username}@example.com"
    user.is_active = True
    user.is_staff = user.is_superuser = spec.level == "admin"
    user.set_password(DEMO_PASSWORD)
    user.save()
    if spec.level == "parent":
        return user  # parents sign in with a password only (docs/security.md)
    # A confirmed authenticator with a published, demo-only secret (`attend demo-code USERNAME`).
    TOTPDevice.objects.update_or_create(
        user=user,
        name=DEMO_DEVICE_NAME,
        defaults={"key": demo_totp_key(spec.username), "confirmed": True},
    )
    return user


def _teacher_group(school: School) -> RegistrationGroup:
    """The school's largest registration group (by pupils on roll today), then by name."""
    today = timezone.localdate()
    on_roll = Q(enrolments__start_date__lte=today) & (
        Q(enrolments__leaving_date__isnull=True) | Q(enrolments__leaving_date__gte=today)
    )
    group = (
        RegistrationGroup.objects.filter(school=school)
        .annotate(pupils=Count("enrolments", filter=on_roll))
        .order_by("-pupils", "name")
        .first()
    )
    if group is None:
        raise CommandError(f"School {school.urn} has no registration groups.")
    return group
