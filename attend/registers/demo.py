"""Demo data: a synthetic local authority written as the five CSV files of the imports.

:func:`generate` writes ``schools.csv``, ``calendar.csv``, ``pupils.csv``, ``contacts.csv`` and the
marks (one file, or one per month) into a directory. Everything comes from one seeded
:class:`random.Random`, so the same arguments always give the same files.

The model follows reference/performance-notes.md §1: every pupil has an absence propensity
(lognormal, raised by FSM, SEN, a social worker, secondary age and alternative provision), a few
per cent are chronic absentees, and the days are generated school by school, day by day, with
absence spells kept as per-pupil "remaining days" counters:

* illness ``I`` in spells of 1-5 days, more in winter; medical appointments ``M`` (half days);
* unauthorised ``O`` (some for one session only), still ``N`` in the last school week;
* late ``L`` with minutes, ``U`` after the register has closed (30 minutes);
* term-time holidays ``G`` in 3-10 day blocks next to half terms and holidays;
* part-time timetables ``C2`` (afternoons), suspensions ``E``, off-site provision ``B`` one day a
  week, trips ``V``, Year 10 work experience ``W``, religious observance ``R`` on Eid,
  non-compulsory-age nursery pupils ``X`` in the afternoon;
* ``#`` on INSET days and one afternoon closure, and ``Y4`` for one unexpected closure.

The result is close to England's figures: about 92-93 % attendance, 19-21 % persistent absence,
about 1.5 % severe absence. The marks are written as plain text lines: every field is a
token without commas or quotes, so no CSV quoting is needed (the same bytes ``csv.writer``
would write), and 100,000 pupils for a full year (about 38 million rows) take a few minutes.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Literal

from attend.pupils.domain import InvalidUPN, upn_check_letter, upn_validate
from attend.registers.domain import CalendarEntry, Session, academic_year_start, school_sessions

PHASES = ("primary", "secondary", "special", "alternative-provision", "nursery", "all-through")
"""Every phase; the first schools take one of each, in this order, then mostly primary."""

_PHASE_WEIGHTS = {
    "primary": 0.76,
    "secondary": 0.17,
    "special": 0.03,
    "alternative-provision": 0.015,
    "nursery": 0.01,
    "all-through": 0.015,
}
# Relative roll size of a school of each phase (a secondary is about three primaries).
_PHASE_SIZE = {
    "primary": 1.0,
    "secondary": 3.0,
    "special": 0.4,
    "alternative-provision": 0.15,
    "nursery": 0.35,
    "all-through": 4.0,
}
_YEAR_GROUPS = {
    "nursery": ("N1", "N2"),
    "primary": ("R", "1", "2", "3", "4", "5", "6"),
    "secondary": ("7", "8", "9", "10", "11"),
    "all-through": ("R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"),
    "special": ("R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"),
    "alternative-provision": ("7", "8", "9", "10", "11"),
}
_AP_YEAR_WEIGHTS = (0.07, 0.11, 0.2, 0.28, 0.34)
_ESTABLISHMENT_BASE = {
    "nursery": 1000,
    "primary": 2000,
    "all-through": 4000,
    "secondary": 4100,
    "alternative-provision": 1100,
    "special": 7000,
}

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the published password of the demo logins


@dataclass(frozen=True)
class DemoUser:
    """A demo login. ``level`` says what the membership attaches to: "school" (``school`` indexes
    the generated schools), "trust" (the demo trust: the schools after the first), "la" (the demo
    LA), "parent" (a contact with parental responsibility of a pupil of school ``school``) or
    "admin" (the superuser, no membership)."""

    username: str
    first_name: str
    last_name: str
    role: str  # an accounts.roles.Role value, or "" for the superuser and the parent
    school: int | None
    position: str = ""
    level: str = "school"


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("teacher", "Priya", "Shah", "teacher", 0, "Class teacher"),
    DemoUser("office", "Gary", "Wood", "office", 0, "Attendance officer"),
    DemoUser("head", "Helen", "Carter", "senior", 0, "Headteacher"),
    DemoUser("governor", "Ruth", "Evans", "governor", 0, "Chair of governors"),
    DemoUser("teacher2", "Daniel", "Okafor", "teacher", 1, "Form tutor"),
    DemoUser("office2", "Sarah", "Price", "office", 1, "Attendance officer"),
    DemoUser("head2", "Mark", "Bennett", "senior", 1, "Headteacher"),
    DemoUser("trust", "Imran", "Malik", "trust_lead", None, "Trust attendance lead", "trust"),
    DemoUser("laofficer", "Joanne", "Fisher", "la_officer", None, "LA attendance officer", "la"),
    DemoUser("laadmin", "Tom", "Hughes", "la_admin", None, "LA attendance team leader", "la"),
    DemoUser("socialworker", "Grace", "Adeyemi", "social_worker", None, "Social worker", "la"),
    DemoUser("vsh", "Colin", "Ward", "virtual_school_head", None, "Virtual school head", "la"),
    DemoUser("parent", "Claire", "", "", 0, "Parent", "parent"),
    DemoUser("admin", "Alex", "Admin", "", None, "System administrator", "admin"),
)
"""The demo logins: one for every role (staff of the first two schools, the demo trust, the LA,
a social worker with a caseload, the virtual school head and a parent) and a superuser."""

MarksFiles = Literal["single", "monthly"]


# -------------------------------------------------------------------------------------------------
# Names
# -------------------------------------------------------------------------------------------------

_PLACES = (
    "Ashbury Ashcombe Barnfield Beechwood Birchley Bramley Brookfield Burnham Castleton Chalkhill "
    "Cherrytree Claydon Coldharbour Copperfield Crossways Dalton Deepdale Downsview Eastwood "
    "Elmfield Fairmead Farnley Fernhill Foxhollow Gorsefield Greenacre Hallam Hartwell Hazelmere "
    "Heathfield Highcroft Hillside Holmwood Kingsmead Lakeside Langley Larkrise Longmead Maplewood "
    "Marsh Meadowbank Millbrook Moorside Netherfield Newbridge Northgate Oakwood Orchard Parkside "
    "Pinewood Priory Queensway Redhill Ridgeway Riverside Rosehill Rowan Saxon Seaview Sheldon "
    "Southfield Springfield Stonebridge Summerfield Sunnyside Thornbury Westfield Whitecross "
    "Willowbrook Windmill Woodlands Yewtree"
).split()
_SAINTS = "Andrew Anne Bede Catherine Francis George Hilda John Margaret Mark Mary Michael Peter"
_FOREST = "Acorn Beacon Compass Harbour Horizon Lighthouse Meridian Phoenix Pathways Summit"
_FORENAMES_F = (
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace Daisy "
    "Sienna Poppy Elsie Emily Ella Evie Aria Maya Zara Hannah Chloe Layla Ruby Matilda Phoebe "
    "Aisha Fatima Amira Priya Zainab Maryam Niamh Orla Jessica Leah Harper Eliza"
).split()
_FORENAMES_M = (
    "Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy Alexander "
    "Adam Ibrahim Yusuf Zayn Ethan Joshua Samuel Daniel Reuben Kai Rory Dylan Ryan Callum Ali"
).split()
_SURNAMES = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb "
    "Rogers Gray Mason Ali Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight "
    "Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Nowak Kowalski "
    "Okafor Mensah Ahmed Rahman Chen Nguyen"
).split()
_STREETS = (
    "High Street, Station Road, Church Lane, Mill Lane, Park Avenue, Victoria Road, Green Lane, "
    "Manor Road, Church Street, Kingsway, Queens Road, New Road, Grange Road, Orchard Close, "
    "The Crescent, Meadow Way, School Lane, Chapel Street, London Road, Elm Grove"
).split(", ")
_TOWNS = ("Demotown", "Ashbury", "Northgate", "Millbrook", "Castleton", "Seaview")

# DfE ethnicity codes with rough England shares, and each one's EAL and Eid (R code) rates.
_ETHNICITIES: tuple[tuple[str, float, float, float], ...] = (
    ("WBRI", 0.62, 0.01, 0.0),
    ("WIRI", 0.003, 0.05, 0.0),
    ("WROM", 0.004, 0.2, 0.0),
    ("WOTH", 0.075, 0.75, 0.05),
    ("MWBC", 0.018, 0.03, 0.0),
    ("MWBA", 0.009, 0.1, 0.1),
    ("MWAS", 0.016, 0.2, 0.3),
    ("MOTH", 0.025, 0.15, 0.1),
    ("AIND", 0.035, 0.65, 0.05),
    ("APKN", 0.045, 0.8, 0.9),
    ("ABAN", 0.018, 0.85, 0.9),
    ("AOTH", 0.02, 0.7, 0.3),
    ("BCRB", 0.01, 0.02, 0.0),
    ("BAFR", 0.04, 0.55, 0.3),
    ("BOTH", 0.008, 0.2, 0.1),
    ("CHNE", 0.005, 0.75, 0.0),
    ("OOTH", 0.025, 0.7, 0.4),
    ("REFU", 0.02, 0.1, 0.05),
)
_ETH_CODES = [e[0] for e in _ETHNICITIES]
_ETH_WEIGHTS = [e[1] for e in _ETHNICITIES]
_ETH_EAL = {e[0]: e[2] for e in _ETHNICITIES}
_ETH_EID = {e[0]: e[3] for e in _ETHNICITIES}

# Eid al-Fitr and Eid al-Adha (approximate) in school years the demo may cover.
_EID = (
    date(2024, 4, 10),
    date(2024, 6, 17),
    date(2025, 3, 31),
    date(2025, 6, 6),
    date(2026, 3, 20),
    date(2026, 5, 27),
    date(2027, 3, 10),
    date(2027, 5, 17),
    date(2028, 2, 27),
    date(2028, 5, 5),
)

# Illness by month: a winter peak.
_SEASON = {9: 0.7, 10: 0.95, 11: 1.1, 12: 1.35, 1: 1.3, 2: 1.2, 3: 1.0, 4: 0.85, 5: 0.8, 6: 0.75}
_ILL_LENGTHS = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5)  # mean 2.27 school days
_ILL_MEAN = sum(_ILL_LENGTHS) / len(_ILL_LENGTHS)
_O_LENGTHS = (1, 1, 1, 1, 2, 2, 3)  # mean 1.57
_O_MEAN = sum(_O_LENGTHS) / len(_O_LENGTHS)
_CHRONIC_O_MEAN = 4.0  # chronic absentees: 1-7 days


# -------------------------------------------------------------------------------------------------
# Calendar
# -------------------------------------------------------------------------------------------------


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _on_or_after(d: date, weekday: int) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def _on_or_before(d: date, weekday: int) -> date:
    return d - timedelta(days=(d.weekday() - weekday) % 7)


def _weekday_on_or_after(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _weekday_on_or_before(d: date) -> date:
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


@dataclass(frozen=True)
class TermDates:
    """An academic year's term dates for the whole LA (both ends included)."""

    year: int  # the calendar year the academic year starts in
    terms: tuple[tuple[date, date], ...]  # autumn, spring, summer
    breaks: tuple[tuple[date, date], ...]  # half terms and the May bank holiday (closures)


def term_dates(year: int) -> TermDates:
    """The LA's term dates for the academic year starting in ``year`` (e.g. 2026 for 2026/27).

    Autumn starts on the first Wednesday of September and ends on the last Friday on or before
    22 December; spring starts on the first weekday from 5 January; Easter is a fortnight from the
    Monday of Holy Week; summer ends on the last weekday on or before 22 July. Half terms are the
    last full week of October, the week from the Monday on or after 12 February and the week of
    the late-May bank holiday; the early-May bank holiday is a closure too.
    """
    autumn = (_on_or_after(date(year, 9, 1), 2), _on_or_before(date(year, 12, 22), 4))
    october = _on_or_before(date(year, 10, 27), 0)
    spring_start = _weekday_on_or_after(date(year + 1, 1, 5))
    february = _on_or_after(date(year + 1, 2, 12), 0)
    easter_holiday = _on_or_before(_easter(year + 1) - timedelta(days=2), 0)
    spring = (spring_start, easter_holiday - timedelta(days=3))
    summer = (easter_holiday + timedelta(days=14), _weekday_on_or_before(date(year + 1, 7, 22)))
    may_day = _on_or_after(date(year + 1, 5, 1), 0)
    may_half_term = _on_or_before(date(year + 1, 5, 31), 0)
    breaks = [
        (october, october + timedelta(days=4)),
        (february, february + timedelta(days=4)),
        (may_half_term, may_half_term + timedelta(days=4)),
    ]
    if summer[0] <= may_day <= summer[1]:
        breaks.insert(2, (may_day, may_day))
    return TermDates(year, (autumn, spring, summer), tuple(breaks))


@dataclass
class _SchoolYear:
    """One school's calendar for one academic year."""

    dates: TermDates
    inset: list[date]
    pm_closure: date

    def entries(self) -> list[CalendarEntry]:
        out = [CalendarEntry("term", start, end) for start, end in self.dates.terms]
        out += [CalendarEntry("closure", start, end) for start, end in self.dates.breaks]
        out += [CalendarEntry("closure", d, d) for d in self.inset]
        out.append(CalendarEntry("closure", self.pm_closure, self.pm_closure, Session.PM))
        return out


def _school_year(rng: random.Random, year: int) -> _SchoolYear:
    """The LA's term dates plus the school's own five INSET days and one afternoon closure."""
    dates = term_dates(year)
    (autumn, _), (spring, _), (summer, summer_end) = dates.terms
    after_breaks = [end + timedelta(days=3) for _, end in dates.breaks if end.weekday() == 4]
    candidates = sorted(
        {
            autumn + timedelta(days=1),
            spring,
            summer,
            summer_end,
            _weekday_on_or_before(summer_end - timedelta(days=1)),
            *after_breaks,
        }
    )
    inset = sorted({autumn, *rng.sample(candidates, 4)})  # autumn is not a candidate: 5 days
    # An afternoon closure (staff training) on a Wednesday between 2 and 6 weeks into autumn.
    pm = _on_or_after(autumn + timedelta(days=14 + 7 * rng.randrange(4)), 2)
    while pm in inset or any(s <= pm <= e for s, e in dates.breaks):
        pm += timedelta(days=7)
    return _SchoolYear(dates, inset, pm)


# -------------------------------------------------------------------------------------------------
# Schools and pupils
# -------------------------------------------------------------------------------------------------


@dataclass
class _School:
    index: int
    urn: str
    name: str
    phase: str
    establishment: int
    size: int
    years: dict[int, _SchoolYear] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)  # year group -> group names
    unexpected_closure: date | None = None
    open_days: dict[int, list[date]] = field(default_factory=dict)


@dataclass
class _Pupil:
    upn: str
    surname: str
    forename: str
    date_of_birth: date
    gender: str
    year_group: str
    sen: str
    fsm: bool
    pupil_premium: bool
    social_worker: bool
    cin_plan: bool
    cp_plan: bool
    looked_after: bool
    previously_looked_after: bool
    youth_offending: bool
    eal: bool
    ethnicity: str


@dataclass
class _Enrolment:
    pupil: _Pupil
    school: _School
    start: date
    leaving: date | None = None
    ground: str = ""
    group: str = ""


def _year_number(year_group: str) -> int:
    """R is 0, N2 is -1, N1 is -2, otherwise the number."""
    special = {"N1": -2, "N2": -1, "R": 0}
    return special[year_group] if year_group in special else int(year_group)


def _school_name(rng: random.Random, phase: str, used: set[str]) -> str:
    for _ in range(1000):
        place = rng.choice(_PLACES)
        if phase == "primary":
            name = rng.choice(
                [
                    f"{place} Primary School",
                    f"{place} Community Primary School",
                    f"{place} Infant and Junior School",
                    f"St {rng.choice(_SAINTS.split())}'s CofE Primary School",
                    f"{place} Primary Academy",
                ]
            )
        elif phase == "secondary":
            name = rng.choice(
                [f"{place} Academy", f"{place} High School", f"{place} Community College"]
            )
        elif phase == "all-through":
            name = f"{place} All-Through School"
        elif phase == "special":
            name = rng.choice([f"{place} Special School", f"{place} School"])
        elif phase == "nursery":
            name = f"{place} Nursery School"
        else:
            name = f"{rng.choice(_FOREST.split())} Learning Centre"
        if name not in used:
            used.add(name)
            return name
    return f"{place} School {len(used) + 1}"


def _make_schools(rng: random.Random, count: int, per_school: int) -> list[_School]:
    phases = list(PHASES[:count])
    names = list(_PHASE_WEIGHTS)
    weights = list(_PHASE_WEIGHTS.values())
    phases += rng.choices(names, weights, k=count - len(phases))
    raw = [_PHASE_SIZE[p] * rng.uniform(0.6, 1.4) for p in phases]
    scale = count * per_school / sum(raw)
    urns = rng.sample(range(110000, 150000), count)
    used_names: set[str] = set()
    used_estab: set[int] = set()
    schools = []
    for i, phase in enumerate(phases):
        estab = _ESTABLISHMENT_BASE[phase] + rng.randrange(1, 90)
        while estab in used_estab:
            estab += 1
        used_estab.add(estab)
        schools.append(
            _School(
                index=i,
                urn=str(urns[i]),
                name=_school_name(rng, phase, used_names),
                phase=phase,
                establishment=estab,
                size=max(8, round(raw[i] * scale)),
            )
        )
    return schools


class _UpnAllocator:
    """UPNs: check letter, LA number, establishment, 2-digit year, 3-digit serial."""

    def __init__(self, la_code: str) -> None:
        self.la_code = la_code
        self.next_serial: dict[tuple[int, int], int] = {}

    def allocate(self, establishment: int, year: int) -> str:
        estab, yy = establishment, year % 100
        while True:
            serial = self.next_serial.get((estab, yy), 0)
            if serial < 1000:
                self.next_serial[(estab, yy)] = serial + 1
                body = f"{self.la_code}{estab:04d}{yy:02d}{serial:03d}"
                return upn_check_letter(body) + body
            estab = (estab + 97) % 10000  # overflow: another establishment number


def _make_pupil(
    rng: random.Random, school: _School, year_group: str, ay: int, upns: _UpnAllocator
) -> _Pupil:
    phase = school.phase
    n = _year_number(year_group)
    first = date(ay - 5 - n, 9, 1)
    dob = first + timedelta(days=rng.randrange(365))
    gender = rng.choice("FM")
    if phase == "special":
        gender = "M" if rng.random() < 0.7 else "F"
    forename = rng.choice(_FORENAMES_F if gender == "F" else _FORENAMES_M)
    ethnicity = rng.choices(_ETH_CODES, _ETH_WEIGHTS)[0]
    if ethnicity in ("APKN", "ABAN") and rng.random() < 0.6:
        surname = rng.choice(("Khan", "Ahmed", "Rahman", "Hussain", "Begum", "Ali"))
    else:
        surname = rng.choice(_SURNAMES)
    r = rng.random
    if phase == "special":
        sen = "E" if r() < 0.92 else "K"
    elif phase == "alternative-provision":
        sen = "E" if r() < 0.12 else ("K" if r() < 0.5 else "N")
    elif phase == "nursery":
        sen = "E" if r() < 0.01 else ("K" if r() < 0.07 else "N")
    else:
        x = r()
        sen = "E" if x < 0.027 else ("K" if x < 0.027 + 0.135 else "N")
    fsm_rate = {"alternative-provision": 0.6, "special": 0.45, "nursery": 0.15}.get(phase, 0.245)
    fsm = r() < fsm_rate
    sw_rate = {"alternative-provision": 0.2, "special": 0.07}.get(phase, 0.028)
    looked_after = r() < (0.05 if phase == "alternative-provision" else 0.007)
    social_worker = looked_after or r() < sw_rate * (2.0 if fsm else 0.65)
    cin_plan = social_worker and not looked_after and r() < 0.45
    cp_plan = social_worker and not looked_after and not cin_plan and r() < 0.3
    previously = not looked_after and r() < 0.005
    youth_offending = n >= 7 and r() < (0.06 if phase == "alternative-provision" else 0.004)
    return _Pupil(
        upn=upns.allocate(school.establishment, first.year + 5),
        surname=surname,
        forename=forename,
        date_of_birth=dob,
        gender=gender,
        year_group=year_group,
        sen=sen,
        fsm=fsm,
        pupil_premium=fsm or looked_after or previously or r() < 0.06,
        social_worker=social_worker,
        cin_plan=cin_plan,
        cp_plan=cp_plan,
        looked_after=looked_after,
        previously_looked_after=previously,
        youth_offending=youth_offending,
        eal=r() < _ETH_EAL[ethnicity],
        ethnicity=ethnicity,
    )


def _group_names(rng: random.Random, school: _School, counts: dict[str, int]) -> None:
    """Registration groups: "3B", "10K" (letters per year in primary, per school in secondary)."""
    letters = list("ABCDEFGHJKLMNPRSTW")
    houses = rng.sample(letters, len(letters))
    for year_group, count in counts.items():
        n = _year_number(year_group)
        if school.phase == "special":
            size = 9
        elif school.phase == "alternative-provision":
            size = 10
        else:
            size = 30 if n <= 6 else 28
        classes = max(1, round(count / size))
        chosen = houses[:classes] if n >= 7 else sorted(rng.sample(letters, min(classes, 18)))
        school.groups[year_group] = [f"{year_group}{c}" for c in chosen]


def _school_days(school: _School, ay: int, until: date) -> list[date]:
    """Dates the school meets (at least one session) from 1 August of year ``ay`` to ``until``."""
    days = school.open_days.get(ay)
    if days is None:
        days = sorted({d for d, _ in school_sessions(school.years[ay].entries())})
        school.open_days[ay] = days
    start = date(ay, 8, 1)
    return [d for d in days if start <= d <= until]


def _make_enrolments(
    rng: random.Random, schools: list[_School], ay: int, until: date, la_code: str
) -> list[_Enrolment]:
    upns = _UpnAllocator(la_code)
    out: list[_Enrolment] = []
    autumn = term_dates(ay).terms[0][0]
    year_end = date(ay + 1, 7, 31)
    last_day = min(until, year_end)
    for school in schools:
        years = _YEAR_GROUPS[school.phase]
        weights = _AP_YEAR_WEIGHTS if school.phase == "alternative-provision" else None
        chosen = rng.choices(years, weights, k=school.size)
        counts = {y: chosen.count(y) for y in years if chosen.count(y)}
        _group_names(rng, school, counts)
        open_days = _school_days(school, ay, last_day)
        entry = min(_year_number(y) for y in years)
        for year_group in chosen:
            pupil = _make_pupil(rng, school, year_group, ay, upns)
            n = _year_number(year_group)
            if school.phase == "alternative-provision":
                start = autumn - timedelta(days=rng.randrange(10, 500))
            else:
                start = term_dates(ay - (n - entry)).terms[0][0]
                if rng.random() < 0.15:  # joined in a later year
                    span = max(1, (autumn - start).days)
                    start += timedelta(days=rng.randrange(span))
            if rng.random() < 0.03 and open_days:  # joined this year
                start = rng.choice(open_days)
            start = _weekday_on_or_after(max(start, pupil.date_of_birth + timedelta(days=900)))
            group = rng.choice(school.groups[year_group])
            out.append(_Enrolment(pupil, school, start, group=group))
    # Leavers: a few moved away; a few moved to another school of the LA (two rows).
    for enrolment in list(out):
        x = rng.random()
        school = enrolment.school
        if x >= 0.03 or not school.years:
            continue
        open_days = [d for d in _school_days(school, ay, last_day) if d > enrolment.start]
        if len(open_days) < 2:
            continue
        leaving = rng.choice(open_days[:-1])
        year_group = enrolment.pupil.year_group
        targets = [s for s in schools if s is not school and year_group in s.groups]
        if x < 0.012 and targets:
            target = rng.choice(targets)
            later = [d for d in _school_days(target, ay, last_day) if d > leaving]
            if not later:
                continue
            enrolment.leaving, enrolment.ground = leaving, "a"
            start = later[min(len(later) - 1, rng.randrange(4))]
            group = rng.choice(target.groups[year_group])
            out.append(_Enrolment(enrolment.pupil, target, start, group=group))
        else:
            enrolment.leaving = leaving
            enrolment.ground = rng.choice("aagf")
    return out


# -------------------------------------------------------------------------------------------------
# Writing the small files
# -------------------------------------------------------------------------------------------------


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _calendar_rows(schools: list[_School]) -> Iterator[tuple[str, str, str, str, str]]:
    for school in schools:
        for year in sorted(school.years):
            for e in school.years[year].entries():
                session = e.session.value if e.session else ""
                yield school.urn, e.kind, e.start.isoformat(), e.end.isoformat(), session


PUPIL_HEADER = (
    "upn,urn,surname,forename,date_of_birth,start_date,leaving_date,deletion_ground,gender,"
    "year_group,registration_group,sen_status,fsm,pupil_premium,social_worker,cin_plan,cp_plan,"
    "looked_after,previously_looked_after,youth_offending,eal,ethnicity"
).split(",")


def _pupil_rows(enrolments: list[_Enrolment]) -> Iterator[list[str]]:
    for e in enrolments:
        p = e.pupil
        yield [
            p.upn,
            e.school.urn,
            p.surname,
            p.forename,
            p.date_of_birth.isoformat(),
            e.start.isoformat(),
            e.leaving.isoformat() if e.leaving else "",
            e.ground,
            p.gender,
            p.year_group,
            e.group,
            p.sen,
            _yn(p.fsm),
            _yn(p.pupil_premium),
            _yn(p.social_worker),
            _yn(p.cin_plan),
            _yn(p.cp_plan),
            _yn(p.looked_after),
            _yn(p.previously_looked_after),
            _yn(p.youth_offending),
            _yn(p.eal),
            p.ethnicity,
        ]


CONTACT_HEADER = (
    "upn,surname,forename,relationship,parental_responsibility,lives_with_pupil,priority,phone,"
    "email,address"
).split(",")


def _contact_rows(rng: random.Random, enrolments: list[_Enrolment]) -> Iterator[list[str]]:
    seen: set[str] = set()
    for e in enrolments:
        p = e.pupil
        if p.upn in seen:
            continue
        seen.add(p.upn)
        address = f"{rng.randrange(1, 180)} {rng.choice(_STREETS)}, {rng.choice(_TOWNS)}, Demoshire"
        if p.looked_after:
            carer = rng.choice(_SURNAMES)
            people = [
                ("Foster carer", rng.choice(_FORENAMES_F), carer, False, True),
                (
                    "Social worker",
                    rng.choice(_FORENAMES_M + _FORENAMES_F),
                    "Demoshire",
                    True,
                    False,
                ),
            ]
        else:
            second = rng.random() < 0.75
            surname2 = p.surname if rng.random() < 0.8 else rng.choice(_SURNAMES)
            first = rng.choices(("Mother", "Father", "Grandparent", "Carer"), (75, 20, 3, 2))[0]
            people = [(first, _contact_forename(rng, first), p.surname, first != "Carer", True)]
            if second:
                other = "Father" if first == "Mother" else "Mother"
                lives = rng.random() < 0.7
                people.append((other, _contact_forename(rng, other), surname2, True, lives))
        used: set[str] = set()
        for priority, (relationship, forename, surname, pr, lives) in enumerate(people, start=1):
            if forename in used:
                forename = f"{forename}-{priority}"
            used.add(forename)
            email_user = f"{forename}.{surname}".lower().replace("'", "").replace(" ", "")
            yield [
                p.upn,
                surname,
                forename,
                relationship,
                _yn(pr),
                _yn(lives),
                str(priority),
                f"07700 900{rng.randrange(1000):03d}",
                f"{email_user}{rng.randrange(100)}@example.com",
                address if lives else "",
            ]


def _contact_forename(rng: random.Random, relationship: str) -> str:
    if relationship == "Mother":
        return rng.choice(_FORENAMES_F)
    if relationship == "Father":
        return rng.choice(_FORENAMES_M)
    return rng.choice(_FORENAMES_F + _FORENAMES_M)


# -------------------------------------------------------------------------------------------------
# Marks
# -------------------------------------------------------------------------------------------------


@dataclass
class _Sim:
    """Per-enrolment parameters: daily probabilities of starting each kind of absence."""

    ill: float
    unauth: float
    medical: float
    late: float
    u_share: float
    chronic: bool


def _propensity(rng: random.Random, e: _Enrolment) -> _Sim:
    p, phase = e.pupil, e.school.phase
    n = _year_number(p.year_group)
    mult = 1.0
    mult *= 1.55 if p.fsm else 1.0
    mult *= {"K": 1.3, "E": 1.45}.get(p.sen, 1.0)
    mult *= 1.7 if p.social_worker else 1.0
    mult *= 1.8 if p.youth_offending else 1.0
    if phase == "alternative-provision":
        mult *= 2.8
    elif phase == "nursery":
        mult *= 1.3
    elif phase == "special":
        mult *= 1.2
    mult *= {7: 1.05, 8: 1.15, 9: 1.3, 10: 1.4, 11: 1.45}.get(n, 0.85)
    rate = min(0.6, rng.lognormvariate(math.log(0.030), 0.85) * mult)
    chronic_p = 0.0075 * (1.8 if p.fsm else 1.0) * (2.5 if p.social_worker else 1.0)
    chronic_p *= 1.6 if n >= 7 else 1.0
    chronic_p *= 8 if phase == "alternative-provision" else 1.0
    chronic = rng.random() < min(chronic_p, 0.5)
    if chronic:
        rate = rng.uniform(0.3, 0.92)
        ill_share = rng.uniform(0.15, 0.5)
        o_mean = _CHRONIC_O_MEAN
    else:
        ill_share = 0.8 - 0.12 * p.fsm - 0.1 * (n >= 7) - 0.15 * p.social_worker
        ill_share = min(0.97, max(0.2, ill_share + rng.gauss(0, 0.1)))
        o_mean = _O_MEAN
    mean_length = ill_share * _ILL_MEAN + (1 - ill_share) * o_mean
    start = min(0.9, rate / (mean_length * (1 - rate)))
    medical = 0.0022 * {"K": 1.5, "E": 2.5}.get(p.sen, 1.0)
    late = min(0.25, rng.lognormvariate(math.log(0.007), 1.0) * (1.3 if p.fsm else 1.0))
    return _Sim(
        ill=start * ill_share,
        unauth=start * (1 - ill_share),
        medical=medical,
        late=2 * late,
        u_share=0.12 if n < 7 else 0.2,
        chronic=chronic,
    )


class _MonthFiles:
    """Marks files: one, or one per month (``marks-YYYY-MM.csv``), opened as they are needed."""

    HEADER = "upn,urn,date,session,code,minutes_late\n"

    def __init__(self, directory: Path, monthly: bool) -> None:
        self.directory = directory
        self.monthly = monthly
        self.handles: dict[str, IO[str]] = {}
        self.rows = 0

    def handle(self, day: date) -> IO[str]:
        key = f"marks-{day:%Y-%m}" if self.monthly else "marks"
        handle = self.handles.get(key)
        if handle is None:
            path = self.directory / f"{key}.csv"
            handle = path.open("w", encoding="utf-8", newline="", buffering=1 << 20)
            handle.write(self.HEADER)
            self.handles[key] = handle
        return handle

    def write(self, day: date, lines: list[str]) -> None:
        if lines:
            text = "".join(lines)
            self.rows += text.count("\n")
            self.handle(day).write(text)

    def close(self) -> dict[str, Path]:
        paths = {}
        for key in sorted(self.handles):
            self.handles[key].close()
            paths[key] = self.directory / f"{key}.csv"
        return paths


def _school_marks(
    rng: random.Random, school: _School, enrolments: list[_Enrolment], ay: int, until: date
) -> Iterator[tuple[date, list[str]]]:
    """Yield (day, lines) for every day of the school from 1 August of ``ay`` to ``until``."""
    if not enrolments:
        return
    year = school.years[ay]
    first = date(ay, 8, 1)
    sessions: dict[date, list[Session]] = {}
    for d, s in school_sessions(year.entries()):
        if first <= d <= until:
            sessions.setdefault(d, []).append(s)
    closed = {d: [Session.AM, Session.PM] for d in year.inset if first <= d <= until}
    if first <= year.pm_closure <= until:
        closed[year.pm_closure] = [Session.PM]
    timeline = sorted(set(sessions) | set(closed))
    open_days = [d for d in timeline if d in sessions]
    index = {d: i for i, d in enumerate(open_days)}
    n_days = len(open_days)
    if not n_days and not closed:
        return
    register_open = 30

    n = len(enrolments)
    sims = [_propensity(rng, e) for e in enrolments]
    lo = [0] * n
    hi = [-1] * n
    first_on = [e.start for e in enrolments]
    last_on = [e.leaving if e.leaving and e.leaving < until else until for e in enrolments]
    for i in range(n):
        lo[i] = _bisect(open_days, first_on[i])
        hi[i] = _bisect(open_days, last_on[i] + timedelta(days=1)) - 1
    changes = {*lo, *(h + 1 for h in hi)}
    prefix = [f"{e.pupil.upn},{school.urn}," for e in enrolments]

    # Spells scheduled in advance: (day index) -> [(pupil, code, school days)].
    starts: dict[int, list[tuple[int, str, int]]] = {}
    # Codes fixed for a day: (day index) -> {pupil: (AM code, PM code, strong)}; weak codes only
    # replace a present mark.
    fixed: dict[int, dict[int, tuple[str, str, bool]]] = {}
    # Weekly or daily patterns: pupil -> (weekday or -1 for every day, AM, PM, strong, lo, hi).
    patterns: dict[int, tuple[int, str, str, bool, int, int]] = {}

    breaks = [i for i in range(1, n_days) if (open_days[i] - open_days[i - 1]).days >= 7]
    windows = [0, *breaks, *(i - 1 for i in breaks)]  # first day after / last day before a break
    before = set(i - 1 for i in breaks)
    if n_days and open_days[-1] >= date(ay + 1, 7, 15):
        windows.append(n_days - 1)
        before.add(n_days - 1)
    phase = school.phase
    holiday_rate = {"primary": 0.13, "nursery": 0.1, "all-through": 0.1}.get(phase, 0.07)
    holiday_rate *= n_days / 190
    suspension_rate = {
        "secondary": 0.03,
        "all-through": 0.025,
        "alternative-provision": 0.15,
        "special": 0.02,
    }.get(phase, 0.004)
    for i, e in enumerate(enrolments):
        p = e.pupil
        if lo[i] > hi[i]:
            continue
        years = _year_number(p.year_group)
        if windows and rng.random() < holiday_rate * (1.3 if sims[i].chronic else 1.0):
            w = rng.choice(windows)
            length = rng.randint(3, 10)
            begin = w - length + 1 if w in before else w
            begin = max(begin, lo[i])
            if begin <= hi[i]:
                starts.setdefault(begin, []).append((i, "G", length))
        if rng.random() < suspension_rate * (2.5 if sims[i].chronic else 1.0) * n_days / 190:
            starts.setdefault(rng.randint(lo[i], hi[i]), []).append((i, "E", rng.randint(1, 3)))
        part_time = {"alternative-provision": 0.12, "special": 0.03}.get(phase, 0.003)
        part_time *= 3 if p.sen != "N" else 1
        if years >= 0 and rng.random() < part_time:
            begin = rng.randint(lo[i], hi[i])
            patterns[i] = (-1, "", "C2", True, begin, min(hi[i], begin + rng.randint(15, 60)))
        elif years >= 9 and phase in ("secondary", "all-through") and rng.random() < 0.02:
            patterns[i] = (rng.randrange(5), "B", "B", False, lo[i], hi[i])
        elif years < 0 and rng.random() < 0.5:  # 15 hours: mornings only
            patterns[i] = (-1, "", "X", True, lo[i], hi[i])
        if rng.random() < _ETH_EID[p.ethnicity] * 0.7:
            for eid in _EID:
                if eid in index and lo[i] <= index[eid] <= hi[i]:
                    fixed.setdefault(index[eid], {})[i] = ("R", "R", True)
    # Trips for every registration group; a residential for Year 6; work experience for Year 10.
    members: dict[str, list[int]] = {}
    for i, e in enumerate(enrolments):
        members.setdefault(e.group, []).append(i)
    for group, pupils in sorted(members.items()):
        if not n_days:
            break
        # About two trips a year, at random school days of the whole year (190 days).
        trips = [(d, 1) for d in (rng.randrange(190) for _ in range(rng.choice((1, 2, 2, 3))))]
        if group.startswith("6") and phase in ("primary", "all-through"):
            trips.append((rng.randrange(120, 185), 3))
        trips = [(d, length) for d, length in trips if d < n_days]
        if group.startswith("10"):
            week = [i for i, d in enumerate(open_days) if d.month == 7 and d.day <= 12]
            if week:
                trips.append((week[0], -5))
        for begin, length in trips:
            code = "W" if length < 0 else "V"
            for trip_day in range(begin, min(n_days, begin + abs(length))):
                slot = fixed.setdefault(trip_day, {})
                for i in pupils:
                    if rng.random() < 0.95:
                        slot.setdefault(i, (code, code, False))
    if school.unexpected_closure in index:
        fixed[index[school.unexpected_closure]] = {i: ("Y4", "Y4", True) for i in range(n)}

    rem = [0] * n
    spell = [""] * n
    rnd = rng.random
    choice = rng.choice
    randint = rng.randint
    last_week = max(0, n_days - 5)
    active: list[int] = []
    active_day = -2
    for day in timeline:
        iso = day.isoformat()
        if day not in sessions:  # INSET day: closed all day
            on_roll = [i for i in range(n) if first_on[i] <= day <= last_on[i]]
            am_line, pm_line = f"{iso},AM,#,\n", f"{iso},PM,#,\n"
            yield day, [prefix[i] + am_line + prefix[i] + pm_line for i in on_roll]
            continue
        di = index[day]
        if di in changes or di != active_day + 1:
            active = [i for i in range(n) if lo[i] <= di <= hi[i]]
        active_day = di
        season = _SEASON.get(day.month, 0.7)
        am_open = Session.AM in sessions[day]
        pm_open = Session.PM in sessions[day]
        pm_hash = day in closed
        present_am, present_pm = f"{iso},AM,/,\n", f"{iso},PM,\\,\n"
        am_sfx = {c: f"{iso},AM,{c},\n" for c in _AM_CODES}
        pm_sfx = {c: f"{iso},PM,{c},\n" for c in _PM_CODES}
        if pm_hash:
            pm_sfx = dict.fromkeys(pm_sfx, f"{iso},PM,#,\n")
            present_pm = pm_sfx["\\"]
        for event in starts.get(di, ()):
            rem[event[0]], spell[event[0]] = event[2], event[1]
        day_fixed = dict(fixed.get(di, {}))
        for i, (weekday, am_code, pm_code, strong, p_lo, p_hi) in patterns.items():
            if p_lo <= di <= p_hi and (weekday < 0 or weekday == day.weekday()):
                day_fixed.setdefault(i, (am_code, pm_code, strong))
        recent = di >= last_week
        fast = am_open and (pm_open or pm_hash)
        lines: list[str] = []
        append = lines.append
        for i in active:
            am = pm = ""
            am_min = pm_min = ""
            if rem[i]:
                rem[i] -= 1
                am = pm = spell[i]
            else:
                sim = sims[i]
                u = rnd()
                ill = sim.ill * season
                if u < ill + sim.unauth + sim.medical + sim.late:
                    if u < ill:
                        code = "N" if recent and rnd() < 0.5 else "I"
                        rem[i], spell[i] = choice(_ILL_LENGTHS) - 1, code
                        am = pm = code
                    elif u < ill + sim.unauth:
                        code = "N" if recent and rnd() < 0.6 else "O"
                        if sim.chronic:
                            length = randint(1, 7)
                        else:
                            length = choice(_O_LENGTHS)
                        if length == 1 and rnd() < 0.3:
                            if rnd() < 0.5:
                                am, pm = code, "\\"
                            else:
                                am, pm = "/", code
                        else:
                            rem[i], spell[i] = length - 1, code
                            am = pm = code
                    elif u < ill + sim.unauth + sim.medical:
                        am, pm = ("M", "\\") if rnd() < 0.5 else ("/", "M")
                    else:
                        late_am = rnd() < 0.8
                        if rnd() < sim.u_share:
                            minutes = register_open + 1 + int(rnd() * 45)
                            code = "U"
                        else:
                            minutes = 1 + min(register_open - 1, int(rng.expovariate(0.12)))
                            code = "L"
                        if late_am:
                            am, pm, am_min = code, "\\", str(minutes)
                        else:
                            am, pm, pm_min = "/", code, str(minutes)
                else:
                    if fast and i not in day_fixed:
                        append(prefix[i] + present_am + prefix[i] + present_pm)
                        continue
                    am, pm = "/", "\\"
            f = day_fixed.get(i)
            if f is not None:
                if f[0] and (f[2] or am == "/"):
                    am, am_min = f[0], ""
                if f[1] and (f[2] or pm == "\\"):
                    pm, pm_min = f[1], ""
            if am_open:
                sfx = am_sfx.get(am) if not am_min else None
                append(prefix[i] + (sfx or f"{iso},AM,{am},{am_min}\n"))
            if pm_hash:
                append(prefix[i] + present_pm)
            elif pm_open:
                sfx = pm_sfx.get(pm) if not pm_min else None
                append(prefix[i] + (sfx or f"{iso},PM,{pm},{pm_min}\n"))
        yield day, lines


_OTHER_CODES = ("I", "O", "N", "M", "G", "E", "C2", "B", "V", "W", "R", "X", "Y4")
_AM_CODES = ("/", *_OTHER_CODES)
_PM_CODES = ("\\", *_OTHER_CODES)


def _bisect(days: list[date], day: date) -> int:
    """The index of the first of ``days`` on or after ``day``."""
    lo, hi = 0, len(days)
    while lo < hi:
        mid = (lo + hi) // 2
        if days[mid] < day:
            lo = mid + 1
        else:
            hi = mid
    return lo


# -------------------------------------------------------------------------------------------------
# The entry point
# -------------------------------------------------------------------------------------------------


def generate(
    directory: Path,
    *,
    schools: int,
    pupils_per_school: int,
    seed: int,
    until: date | None = None,
    la_code: str = "938",
    la_name: str = "Demoshire",
    marks_files: MarksFiles = "single",
    previous_year: bool = False,
) -> dict[str, Path]:
    """Write a demo local authority into ``directory`` as the CSV files of the imports.

    ``schools`` schools (the first six are one of each phase, then mostly primary) with about
    ``pupils_per_school`` pupils each on average (a secondary has about three times a primary's
    roll). The calendar covers the academic year of ``until`` (default: yesterday) and the year
    before; marks cover every school session from 1 August of that academic year up to and
    including ``until``. With ``previous_year``, also the marks of the academic year before (1
    August to 31 July) for the enrolments that had started by then, so that this year's weeks
    can be set against last year's; this year's marks are the same either way.

    Returns the paths by name, in import order: ``schools``, ``calendar``, ``pupils``,
    ``contacts``, then ``marks`` (``marks_files="single"``) or ``marks-YYYY-MM`` for each month
    (``"monthly"``); :func:`mark_paths` lists the marks files.
    """
    if schools < 1 or pupils_per_school < 1:
        raise ValueError("schools and pupils_per_school must be at least 1.")
    if marks_files not in ("single", "monthly"):
        raise ValueError("marks_files must be 'single' or 'monthly'.")
    probe = f"{la_code}200126000"
    try:
        upn_validate(upn_check_letter(probe) + probe)
    except InvalidUPN as exc:
        raise ValueError(f"LA code {la_code!r} cannot be used in a UPN: {exc}") from None
    until = until or date.today() - timedelta(days=1)
    ay = academic_year_start(until).year
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)

    la = _make_schools(rng, schools, pupils_per_school)
    for school in la:
        for year in (ay - 1, ay):
            school.years[year] = _school_year(rng, year)
    if len(la) >= 3:  # one unexpected closure (heating failure) in the winter
        winter = [d for d in _school_days(la[2], ay, date(ay + 1, 7, 31)) if d.month in (1, 2)]
        la[2].unexpected_closure = rng.choice(winter) if winter else None
    enrolments = _make_enrolments(rng, la, ay, until, la_code)

    paths: dict[str, Path] = {}
    paths["schools"] = _write_csv(
        directory / "schools.csv",
        ("urn", "name", "la_code", "la_name", "phase"),
        ((s.urn, s.name, la_code, la_name, s.phase) for s in la),
    )
    paths["calendar"] = _write_csv(
        directory / "calendar.csv",
        ("urn", "kind", "start_date", "end_date", "session"),
        _calendar_rows(la),
    )
    paths["pupils"] = _write_csv(directory / "pupils.csv", PUPIL_HEADER, _pupil_rows(enrolments))
    paths["contacts"] = _write_csv(
        directory / "contacts.csv", CONTACT_HEADER, _contact_rows(rng, enrolments)
    )

    files = _MonthFiles(directory, marks_files == "monthly")
    by_school: dict[int, list[_Enrolment]] = {}
    for e in enrolments:
        by_school.setdefault(e.school.index, []).append(e)
    try:
        for school in la:
            school_rng = random.Random(rng.getrandbits(64))
            school_enrolments = by_school.get(school.index, [])
            if previous_year:
                last_rng = random.Random(f"{seed}-{school.urn}-previous-year")
                last_end = date(ay, 7, 31)
                for day, lines in _school_marks(
                    last_rng, school, school_enrolments, ay - 1, last_end
                ):
                    files.write(day, lines)
            for day, lines in _school_marks(school_rng, school, school_enrolments, ay, until):
                files.write(day, lines)
    finally:
        marks = files.close()
    paths.update(marks)
    return paths


def mark_paths(paths: dict[str, Path]) -> list[Path]:
    """The marks files among the paths :func:`generate` returned, in date order."""
    return [path for key, path in paths.items() if key.startswith("marks")]
