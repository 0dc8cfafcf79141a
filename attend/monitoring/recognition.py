"""Reads for recognition at one school: for a half term, the pupils and classes with excellent
attendance and the most improved, the figures for the newsletter and the certificates (PDF).

Half terms come from the school's calendar (:func:`attend.monitoring.trends.half_terms`); the
counts from :func:`attend.registers.reports.enrolment_counts` (the figures of `attend report
pupils` for the half term), so the number of queries does not depend on the number of pupils.
Needs ``PUPIL_VIEW_SCHOOL`` at the school.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.template.loader import render_to_string

from attend.accounts.models import User
from attend.monitoring import trends
from attend.monitoring.attention import PupilRef, points, school_for_pupils, school_term_dates
from attend.monitoring.trends import HalfTerm, Window
from attend.organisations.models import School
from attend.pupils.models import Enrolment
from attend.registers.domain import Counts, percent, percent_of
from attend.registers.reports import BASE_COLUMNS, Period, enrolment_counts

_WIDTH = len(BASE_COLUMNS)
#: How many classes are listed as most improved.
CLASSES_IMPROVED_LISTED = 3

EXCELLENT = "excellent"
IMPROVED = "improved"


def _window(values: list[int]) -> Window:
    c = Counts(**dict(zip(BASE_COLUMNS, values[:_WIDTH], strict=True)))
    return Window(c.attended, c.possible)


@dataclass(frozen=True)
class PupilAward:
    pupil: PupilRef
    group_id: int | None
    this: Window
    last: Window | None = None
    change: Fraction | None = None

    @property
    def rate(self) -> Decimal | None:
        return percent_of(self.this.attended, self.this.possible)

    @property
    def last_rate(self) -> Decimal | None:
        return percent_of(self.last.attended, self.last.possible) if self.last else None

    @property
    def change_points(self) -> Decimal | None:
        return points(self.change)


@dataclass(frozen=True)
class ClassRow:
    group_id: int
    name: str
    pupils: int
    this: Window
    last: Window
    excellent: bool
    change: Fraction | None

    @property
    def rate(self) -> Decimal | None:
        return percent_of(self.this.attended, self.this.possible)

    @property
    def last_rate(self) -> Decimal | None:
        return percent_of(self.last.attended, self.last.possible)

    @property
    def change_points(self) -> Decimal | None:
        return points(self.change)


@dataclass(frozen=True)
class Newsletter:
    this: Window
    last: Window | None
    last_year: Window | None
    best_class: ClassRow | None
    excellent_pupils: int

    @property
    def rate(self) -> Decimal | None:
        return percent_of(self.this.attended, self.this.possible)

    @property
    def last_rate(self) -> Decimal | None:
        return percent_of(self.last.attended, self.last.possible) if self.last else None

    @property
    def last_year_rate(self) -> Decimal | None:
        return (
            percent_of(self.last_year.attended, self.last_year.possible) if self.last_year else None
        )


@dataclass(frozen=True)
class Recognition:
    school: School
    half_terms: list[HalfTerm]
    half_term: HalfTerm | None
    previous: HalfTerm | None
    last_year: HalfTerm | None
    #: The half term's period (to as_of while it is in progress).
    period: Period | None
    threshold: Fraction
    excellent: list[PupilAward] = field(default_factory=list)
    improved: list[PupilAward] = field(default_factory=list)
    classes: list[ClassRow] = field(default_factory=list)
    newsletter: Newsletter | None = None

    @property
    def threshold_percent(self) -> Decimal | None:
        return percent(self.threshold, 0)

    @property
    def excellent_classes(self) -> list[ClassRow]:
        return [c for c in self.classes if c.excellent]

    @property
    def improved_classes(self) -> list[ClassRow]:
        chosen = dict(
            trends.most_improved(
                ((c.group_id, c.change) for c in self.classes), listed=CLASSES_IMPROVED_LISTED
            )
        )
        return sorted(
            (c for c in self.classes if c.group_id in chosen),
            key=lambda c: (-chosen[c.group_id], c.name),
        )

    def awards_for(
        self, enrolment_ids: Collection[int] | None = None, group_id: int | None = None
    ) -> list[tuple[PupilAward, str]]:
        """(award, kind) for the chosen pupils or the pupils of a class, by name."""
        found = [(a, EXCELLENT) for a in self.excellent] + [(a, IMPROVED) for a in self.improved]
        if enrolment_ids is not None:
            found = [f for f in found if f[0].pupil.enrolment_id in enrolment_ids]
        if group_id is not None:
            found = [f for f in found if f[0].group_id == group_id]
        return sorted(found, key=lambda f: (f[0].pupil.sort_name, f[1]))


def _period(half: HalfTerm, as_of: dt.date) -> Period:
    return Period(half.start, min(half.end, as_of))


def _windows(period: Period | None, school_id: int) -> dict[int, Window]:
    if period is None:
        return {}
    return {
        pk: _window(values)
        for pk, values in enrolment_counts(period, school_ids=[school_id]).items()
    }


def _total(windows: dict[int, Window]) -> Window:
    total = Window()
    for w in windows.values():
        total += w
    return total


def recognition_for(
    actor: User,
    school_id: int,
    as_of: dt.date,
    *,
    half_term_start: dt.date | None = None,
    threshold: Fraction = trends.EXCELLENT_DEFAULT,
) -> Recognition:
    """Recognition for the half term starting on ``half_term_start`` (default: the current
    one, or the last one finished) with excellent attendance from ``threshold``."""
    school = school_for_pupils(actor, school_id)
    terms, sessions = school_term_dates(school)
    halves = [h for h in trends.half_terms(terms, sessions) if h.start <= as_of]
    if half_term_start is not None:
        half = next((h for h in halves if h.start == half_term_start), None)
    else:
        half = trends.half_term_of(halves, as_of)
    if half is None:
        return Recognition(school, halves, None, None, None, None, threshold)
    previous = trends.previous_half_term(halves, half)
    last_year = trends.same_half_term_last_year(halves, half)
    period = _period(half, as_of)
    this = _windows(period, school.pk)
    last = _windows(_period(previous, as_of) if previous else None, school.pk)
    year_before = _windows(_period(last_year, as_of) if last_year else None, school.pk)

    info: dict[int, tuple[PupilRef, int | None]] = {}
    groups: dict[int, str] = {}
    for pk, upn, fore, sur, group_id, group in Enrolment.objects.filter(
        school_id=school.pk, pk__in=[pk for pk, w in this.items() if w.possible]
    ).values_list(
        "pk",
        "pupil__upn",
        "pupil__forename",
        "pupil__surname",
        "registration_group_id",
        "registration_group__name",
    ):
        info[pk] = (
            PupilRef(pk, upn, f"{fore} {sur}", (sur.casefold(), fore.casefold()), group or ""),
            group_id,
        )
        if group_id is not None:
            groups[group_id] = group

    excellent, changes = [], []
    class_this: dict[int, Window] = {}
    class_last: dict[int, Window] = {}
    class_pupils: dict[int, int] = {}
    for pk, (pupil, gid) in info.items():
        window = this[pk]
        earlier = last.get(pk)
        if window.possible >= trends.MIN_HALF_TERM_POSSIBLE and trends.is_excellent(
            window, threshold
        ):
            excellent.append(PupilAward(pupil, gid, window))
        change = (
            trends.attendance_change(earlier, window, min_possible=trends.MIN_HALF_TERM_POSSIBLE)
            if earlier
            else None
        )
        changes.append((PupilAward(pupil, gid, window, earlier, change), change))
        if gid is not None:
            class_this[gid] = class_this.get(gid, Window()) + window
            class_last[gid] = class_last.get(gid, Window()) + (earlier or Window())
            class_pupils[gid] = class_pupils.get(gid, 0) + 1
    improved = [award for award, _ in trends.most_improved(changes)]
    improved.sort(key=lambda a: (-(a.change or 0), a.pupil.sort_name))
    excellent.sort(key=lambda a: a.pupil.sort_name)

    classes = [
        ClassRow(
            group_id=gid,
            name=groups[gid],
            pupils=class_pupils[gid],
            this=class_this[gid],
            last=class_last[gid],
            excellent=trends.is_excellent(class_this[gid], threshold),
            change=trends.attendance_change(
                class_last[gid], class_this[gid], min_possible=trends.MIN_HALF_TERM_POSSIBLE
            ),
        )
        for gid in groups
    ]
    classes.sort(key=lambda c: (-(c.this.rate or 0), c.name.casefold()))
    best = classes[0] if classes and classes[0].this.possible else None
    newsletter = Newsletter(
        this=_total(this),
        last=_total(last) if previous else None,
        last_year=_total(year_before) if last_year else None,
        best_class=best,
        excellent_pupils=len(excellent),
    )
    return Recognition(
        school=school,
        half_terms=halves,
        half_term=half,
        previous=previous,
        last_year=last_year,
        period=period,
        threshold=threshold,
        excellent=excellent,
        improved=improved,
        classes=classes,
        newsletter=newsletter,
    )


# -------------------------------------------------------------------------------------------------
# Certificates
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    name: str
    achievement: str
    detail: str
    kind: str


def certificates(
    recognition: Recognition, awards: list[tuple[PupilAward, str]]
) -> list[Certificate]:
    half = recognition.half_term
    assert half is not None  # noqa: S101 - callers check
    out = []
    for award, kind in awards:
        if kind == EXCELLENT:
            rate = award.rate
            detail = (
                "for being in school for every session"
                if award.this.attended == award.this.possible
                else f"for being in school for {rate}% of sessions"
            )
            out.append(Certificate(award.pupil.name, "Excellent attendance", detail, kind))
        else:
            out.append(
                Certificate(
                    award.pupil.name,
                    "Most improved attendance",
                    "for making a great improvement in coming to school",
                    kind,
                )
            )
    return out


def certificates_pdf(recognition: Recognition, items: list[Certificate]) -> bytes:
    """One A4 landscape page per certificate."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only when used

    html = render_to_string(
        "monitoring/certificates.html",
        {"school": recognition.school, "half_term": recognition.half_term, "certificates": items},
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
