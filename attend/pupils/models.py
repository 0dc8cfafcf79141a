"""Pupils (keyed by UPN), their characteristics over time, contacts and enrolments."""

from __future__ import annotations

import datetime as dt

from django.db import models


class PupilQuerySet(models.QuerySet["Pupil"]):
    def with_characteristic(self, kinds: list[str], on: dt.date) -> PupilQuerySet:
        """Pupils for whom any of the boolean characteristics `kinds` is Y on `on` (the value in
        force is the latest one applying from on or before that day)."""
        condition = models.Q()
        annotations = {}
        for kind in kinds:
            annotations[f"_{kind}"] = models.Subquery(
                Characteristic.objects.filter(
                    pupil=models.OuterRef("pk"), kind=kind, applies_from__lte=on
                )
                .order_by("-applies_from")
                .values("value")[:1]
            )
            condition |= models.Q(**{f"_{kind}": "Y"})
        return self.annotate(**annotations).filter(condition)


class Pupil(models.Model):
    upn = models.CharField(max_length=13, unique=True, verbose_name="UPN")
    surname = models.CharField(max_length=100)
    forename = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, blank=True, choices=[("F", "F"), ("M", "M")])
    ethnicity = models.CharField(max_length=4, blank=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "forename"]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"


class CharacteristicKind(models.TextChoices):
    SEN_STATUS = "sen_status", "SEN status"
    FSM = "fsm", "Free school meals"
    PUPIL_PREMIUM = "pupil_premium", "Pupil premium"
    SOCIAL_WORKER = "social_worker", "Has a social worker"
    CIN_PLAN = "cin_plan", "Child in need plan"
    CP_PLAN = "cp_plan", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after"
    PREVIOUSLY_LOOKED_AFTER = "previously_looked_after", "Previously looked after"
    YOUTH_OFFENDING = "youth_offending", "Youth offending"
    EAL = "eal", "English as an additional language"


BOOLEAN_CHARACTERISTICS = [k for k in CharacteristicKind if k != CharacteristicKind.SEN_STATUS]
SEN_STATUSES = {"N": "No special educational need", "K": "SEN support", "E": "EHC plan"}


class Characteristic(models.Model):
    """One characteristic of a pupil, with the date it applies from (the latest one wins)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="characteristics")
    kind = models.CharField(max_length=32, choices=CharacteristicKind.choices)
    value = models.CharField(max_length=1, help_text="Y/N for flags; N, K or E for SEN status")
    applies_from = models.DateField()

    class Meta:
        ordering = ["pupil", "kind", "applies_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "kind", "applies_from"], name="characteristic_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value} from {self.applies_from}"


class Contact(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="contacts")
    surname = models.CharField(max_length=100)
    forename = models.CharField(max_length=100)
    relationship = models.CharField(max_length=50)
    parental_responsibility = models.BooleanField(default=False)
    lives_with_pupil = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(default=1)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        help_text="The contact's own sign-in: with parental responsibility, they see this child.",
    )

    class Meta:
        ordering = ["pupil", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "surname", "forename"], name="contact_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname} ({self.relationship})"


class DeletionGround(models.TextChoices):
    """Regulation 9(1) grounds for deleting a compulsory-school-age pupil (SI 2024/208)."""

    A = "a", "(a) registered at another school"
    B = "b", "(b) completed nursery education"
    C = "c", "(c) registered elsewhere with consent"
    D = "d", "(d) school attendance order amended"
    E = "e", "(e) school attendance order revoked"
    F = "f", "(f) educated otherwise than at school"
    G = "g", "(g) no longer within reasonable distance"
    H = "h", "(h) did not return after leave of absence"
    I = "i", "(i) continuously absent for 20 school days"  # noqa: E741
    J = "j", "(j) detained under a sentence"
    K = "k", "(k) died"
    L = "l", "(l) over compulsory school age, not continuing"
    M = "m", "(m) boarding fees unpaid"
    N = "n", "(n) ceased to be a pupil at an independent school"
    O = "o", "(o) permanently excluded"  # noqa: E741


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def on_roll(self, day: dt.date) -> EnrolmentQuerySet:
        return self.filter(start_date__lte=day).filter(
            models.Q(leaving_date__isnull=True) | models.Q(leaving_date__gte=day)
        )


class Enrolment(models.Model):
    """One entry in a school's admission register."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="enrolments")
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="enrolments"
    )
    start_date = models.DateField()
    leaving_date = models.DateField(null=True, blank=True)
    deletion_ground = models.CharField(max_length=1, blank=True, choices=DeletionGround.choices)
    dual_registration = models.BooleanField(default=False)
    year_group = models.CharField(max_length=3, blank=True)
    registration_group = models.ForeignKey(
        "organisations.RegistrationGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["school", "pupil"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school", "start_date"], name="enrolment_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(leaving_date__isnull=True)
                | models.Q(leaving_date__gte=models.F("start_date")),
                name="enrolment_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil.upn} at {self.school.urn} from {self.start_date}"

    def on_roll(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.leaving_date is None or self.leaving_date >= day)


class Flag(models.Model):
    """A flag that a school (or an LA, for all its schools) puts on pupils, such as "Anxiety or
    school phobia": each flag is a cohort on the dashboard, and an LA's priority may measure one."""

    name = models.CharField(max_length=100)
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="flags",
        help_text="The school that defined the flag (empty for an LA's flag).",
    )
    local_authority = models.ForeignKey(
        "organisations.LocalAuthority",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="flags",
        help_text="The LA whose schools all have the flag (empty for a school's flag).",
    )
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=False, local_authority__isnull=True)
                    | models.Q(school__isnull=True, local_authority__isnull=False)
                ),
                name="flag_school_or_la",
            ),
            models.UniqueConstraint(fields=["school", "name"], name="flag_unique_school_name"),
            models.UniqueConstraint(fields=["local_authority", "name"], name="flag_unique_la_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PupilFlag(models.Model):
    """A flag on a pupil at a school, from a date until an optional end date (inclusive)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="flags")
    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="pupil_flags")
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.CASCADE,
        related_name="pupil_flags",
        help_text="The school that set the flag: only its staff see it.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    set_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_by_name = models.CharField(max_length=200, blank=True)
    set_at = models.DateTimeField()
    ended_by_name = models.CharField(max_length=200, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["flag", "pupil", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="pupil_flag_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["school", "flag"], name="pupil_flag_school_flag")]

    def __str__(self) -> str:
        return f"{self.flag} from {self.start_date}"
