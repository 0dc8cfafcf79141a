"""The rules of the cohorts: membership on a day, figures and gaps, suppression (Hypothesis),
half terms and the LA's priority measures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attend.monitoring.cohorts_domain import (
    EHCP,
    FLAG,
    MEASURES,
    OVERALL_ABSENCE,
    PARTITIONS,
    PERSISTENT_ABSENCE,
    SOCIAL_WORKER,
    SPECIAL_SCHOOLS,
    YOUTH_OFFENDING,
    CohortGroup,
    CohortKey,
    Figures,
    PupilFacts,
    cohorts_of,
    cohorts_withheld,
    flag_in_force,
    gap_points,
    half_terms,
    in_measure,
    measure_value,
    measure_values,
    value_in_force,
    year_group_order,
)
from attend.registers.domain import Counts

D = dt.date


def test_value_in_force_is_the_latest_on_or_before_the_day():
    history = [(D(2025, 9, 1), "N"), (D(2026, 1, 5), "Y"), (D(2025, 10, 1), "K")]
    assert value_in_force(history, D(2025, 8, 31)) is None
    assert value_in_force(history, D(2025, 9, 1)) == "N"
    assert value_in_force(history, D(2025, 12, 31)) == "K"
    assert value_in_force(history, D(2026, 1, 5)) == "Y"


def test_flag_in_force_includes_both_ends():
    assert flag_in_force(D(2025, 9, 1), None, D(2030, 1, 1))
    assert flag_in_force(D(2025, 9, 1), D(2025, 9, 30), D(2025, 9, 30))
    assert not flag_in_force(D(2025, 9, 1), D(2025, 9, 30), D(2025, 10, 1))
    assert not flag_in_force(D(2025, 9, 2), None, D(2025, 9, 1))


def test_cohorts_of_a_pupil():
    facts = PupilFacts(
        year_group="7",
        registration_group="7A",
        gender="F",
        ethnicity="WBRI",
        characteristics={
            "sen_status": "E",
            "fsm": "N",
            "pupil_premium": "Y",
            "cp_plan": "Y",
            "youth_offending": "Y",
            "eal": "N",
        },
        flags=frozenset({4}),
    )
    keys = {str(k) for k in cohorts_of(facts)}
    assert keys == {
        "year_group:7",
        "registration_group:7A",
        "gender:F",
        "ethnicity:WBRI",
        "needs:ehcp",
        "disadvantage:pupil_premium",
        "care:social_worker",  # a CP plan is a social worker
        "care:youth_offending",
        "flags:4",
    }
    blank = {str(k) for k in cohorts_of(PupilFacts())}
    assert blank == {"year_group:", "registration_group:", "gender:", "ethnicity:"}


def test_sen_support_is_k_only():
    assert "needs:sen_support" in {
        str(k) for k in cohorts_of(PupilFacts(characteristics={"sen_status": "K"}))
    }
    assert "needs:sen_support" not in {
        str(k) for k in cohorts_of(PupilFacts(characteristics={"sen_status": "E"}))
    }


def test_figures_and_gap():
    a = Counts(present=18, authorised=2)  # 10% absent: persistent
    b = Counts(present=20)
    c = Counts(present=5, unauthorised=15)  # 75% absent: persistent and severe
    empty = Counts(not_possible=4)
    cohort, everyone = Figures(), Figures()
    for counts in (a, c, empty):
        cohort.add(counts)
    for counts in (a, b, c, empty):
        everyone.add(counts)
    assert cohort.pupils == 2 and everyone.pupils == 3
    rest = everyone.minus(cohort)
    assert rest.pupils == 1 and rest.counts.possible == 20 and rest.persistent == 0
    assert cohort.absence_rate == Decimal("42.50")
    assert cohort.persistent_rate == Decimal("100.00")
    assert cohort.severe_rate == Decimal("50.00")
    assert gap_points(cohort.absence_fraction, rest.absence_fraction) == Decimal("42.50")
    assert gap_points(rest.absence_fraction, cohort.absence_fraction) == Decimal("-42.50")
    assert gap_points(None, Fraction(1, 2)) is None


@given(st.integers(0, 500), st.integers(1, 500), st.integers(0, 500), st.integers(1, 500))
def test_gap_is_antisymmetric_and_close_to_the_rates(a, n, b, m):
    x, y = Fraction(min(a, n), n), Fraction(min(b, m), m)
    gap = gap_points(x, y)
    assert gap is not None
    assert gap_points(y, x) == -gap
    assert abs(Fraction(gap) - (x - y) * 100) <= Fraction(1, 200)


def test_year_group_order():
    groups = ["10", "R", "2", "", "N1", "X", "1"]
    assert sorted(groups, key=year_group_order) == ["N1", "R", "1", "2", "10", "X", ""]


def test_half_terms_run_in_whole_weeks():
    terms = half_terms(D(2025, 8, 1))
    assert [t.label for t in terms][:2] == ["Autumn 1 2025/26", "Autumn 2 2025/26"]
    assert terms[0].start == D(2025, 8, 4) and terms[0].end == D(2025, 11, 2)
    assert terms[2].start == D(2026, 1, 5)
    assert terms[-1].end == D(2026, 8, 2)  # the Sunday before next year's first Monday
    for term in terms:
        assert term.whole and term.start.weekday() == 0 and term.end.weekday() == 6
    for first, second in zip(terms, terms[1:], strict=False):
        assert second.start == first.end + dt.timedelta(days=1)
    assert half_terms(D(2026, 8, 1))[0].start == terms[-1].end + dt.timedelta(days=1)
    so_far = half_terms(D(2025, 8, 1), until=D(2025, 11, 20))
    assert [(t.start, t.end, t.whole) for t in so_far] == [
        (D(2025, 8, 4), D(2025, 11, 2), True),
        (D(2025, 11, 3), D(2025, 11, 20), False),
    ]
    assert half_terms(D(2025, 8, 1), until=D(2025, 8, 2)) == []


# -------------------------------------------------------------------------------------------------
# Suppression
# -------------------------------------------------------------------------------------------------


def _check(members: dict[CohortKey, frozenset[int]], everyone: frozenset[int]) -> None:
    withheld = cohorts_withheld(members, everyone)
    shown = {k: m for k, m in members.items() if k not in withheld}
    total = len(everyone)
    # 1. No shown cohort, nor its rest, is small.
    for pupils in shown.values():
        assert len(pupils) >= 5 and total - len(pupils) >= 5
    # 2. In a partition, the withheld parts cannot be worked out from the shown ones and the
    #    total: none, all, or at least two withheld together holding 5 or more pupils.
    for group in PARTITIONS:
        parts = [k for k in members if k.group == group]
        hidden = [k for k in parts if k in withheld]
        if hidden and len(hidden) < len(parts):
            assert len(hidden) >= 2
            assert sum(len(members[k]) for k in hidden) >= 5
    # 3. No shown cohort lies inside another shown one with 1 to 4 pupils between them.
    for (a, pa), (b, pb) in combinations(shown.items(), 2):
        small, big = (pa, pb) if len(pa) <= len(pb) else (pb, pa)
        if small <= big:
            assert len(big - small) == 0 or len(big - small) >= 5, (a, b)


@st.composite
def schools(draw):
    n = draw(st.integers(0, 60))
    pupils = list(range(n))
    years = draw(st.lists(st.sampled_from("1234"), min_size=n, max_size=n))
    subs = draw(st.lists(st.sampled_from("AB"), min_size=n, max_size=n))
    genders = draw(st.lists(st.sampled_from(["F", "M", ""]), min_size=n, max_size=n))
    fsm = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    extra = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    members: dict[CohortKey, set[int]] = {}

    def put(group: CohortGroup, value: str, pupil: int) -> None:
        members.setdefault(CohortKey(group, value), set()).add(pupil)

    members[CohortKey(CohortGroup.DISADVANTAGE, "fsm")] = set()
    members[CohortKey(CohortGroup.DISADVANTAGE, "pupil_premium")] = set()
    for p in pupils:
        put(CohortGroup.YEAR_GROUP, years[p], p)
        put(CohortGroup.REGISTRATION_GROUP, years[p] + subs[p], p)  # inside its year group
        put(CohortGroup.GENDER, genders[p], p)
        if fsm[p]:
            put(CohortGroup.DISADVANTAGE, "fsm", p)
        if fsm[p] or extra[p]:  # pupil premium holds every FSM pupil
            put(CohortGroup.DISADVANTAGE, "pupil_premium", p)
    return {k: frozenset(v) for k, v in members.items()}, frozenset(pupils)


@settings(max_examples=300, deadline=None)
@given(schools())
def test_no_withheld_cohort_can_be_worked_out(school):
    members, everyone = school
    _check(members, everyone)


def test_a_single_small_part_takes_the_smallest_other_with_it():
    def part(value: str, pupils: range) -> tuple[CohortKey, frozenset[int]]:
        return CohortKey(CohortGroup.YEAR_GROUP, value), frozenset(pupils)

    members = dict([part("1", range(0, 20)), part("2", range(20, 30)), part("3", range(30, 33))])
    withheld = cohorts_withheld(members, frozenset(range(33)))
    assert {k.value for k in withheld} == {"2", "3"}


def test_a_cohort_inside_another_by_fewer_than_5_is_withheld():
    fsm = CohortKey(CohortGroup.DISADVANTAGE, "fsm")
    pp = CohortKey(CohortGroup.DISADVANTAGE, "pupil_premium")
    members = {fsm: frozenset(range(10)), pp: frozenset(range(12))}
    assert cohorts_withheld(members, frozenset(range(40))) == {fsm}
    members = {fsm: frozenset(range(10)), pp: frozenset(range(15))}
    assert cohorts_withheld(members, frozenset(range(40))) == set()


def test_a_cohort_with_fewer_than_5_others_is_withheld():
    ehcp = CohortKey(CohortGroup.NEEDS, "ehcp")
    assert cohorts_withheld({ehcp: frozenset(range(17))}, frozenset(range(20))) == {ehcp}


# -------------------------------------------------------------------------------------------------
# The LA's priorities
# -------------------------------------------------------------------------------------------------


def test_measures_choose_their_enrolments():
    ehcp = PupilFacts(characteristics={"sen_status": "E"})
    cin = PupilFacts(characteristics={"cin_plan": "Y", "social_worker": "N"})
    yot = PupilFacts(characteristics={"youth_offending": "Y"}, flags=frozenset({3}))
    assert in_measure(EHCP, None, ehcp, special=False)
    assert not in_measure(EHCP, None, cin, special=False)
    assert in_measure(SOCIAL_WORKER, None, cin, special=False)
    assert in_measure(YOUTH_OFFENDING, None, yot, special=False)
    assert in_measure(FLAG, 3, yot, special=False) and not in_measure(FLAG, 4, yot, special=False)
    assert not in_measure(FLAG, None, yot, special=False)
    assert in_measure(SPECIAL_SCHOOLS, None, cin, special=True)
    assert not in_measure(SPECIAL_SCHOOLS, None, cin, special=False)
    assert in_measure(OVERALL_ABSENCE, None, PupilFacts(), special=False)
    with pytest.raises(ValueError):
        in_measure("nonsense", None, PupilFacts(), special=False)


def test_measure_value_is_withheld_under_5_pupils():
    counts = {i: Counts(present=9, authorised=1) for i in range(6)}
    facts = {i: PupilFacts(characteristics={"sen_status": "E" if i < 4 else "N"}) for i in range(6)}
    special = dict.fromkeys(range(6), False)
    assert measure_value(EHCP, None, counts, facts, special).withheld
    value = measure_value(OVERALL_ABSENCE, None, counts, facts, special)
    assert value.pupils == 6 and value.rate == Decimal("10.00")
    pa = measure_value(PERSISTENT_ABSENCE, None, counts, facts, special)
    assert pa.rate == Decimal("100.00")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10),
            st.integers(0, 4),
            st.sampled_from(["N", "K", "E"]),
            st.booleans(),
            st.booleans(),
            st.booleans(),
        ),
        max_size=30,
    )
)
def test_measure_values_equal_measure_value_one_by_one(pupils):
    counts, facts, special = {}, {}, {}
    for pk, (present, absent, sen, sw, flagged, in_special) in enumerate(pupils):
        counts[pk] = Counts(present=present, unauthorised=absent)
        facts[pk] = PupilFacts(
            characteristics={"sen_status": sen, "social_worker": "Y" if sw else "N"},
            flags=frozenset({7}) if flagged else frozenset(),
        )
        special[pk] = in_special
    measures = [(m, 7 if m == FLAG else None) for m in MEASURES]
    # measure_values reads only the enrolments in facts for cohorts: give it the sparse ones.
    sparse = {
        pk: f
        for pk, f in facts.items()
        if f.flags
        or f.characteristics["sen_status"] == "E"
        or f.characteristics["social_worker"] == "Y"
    }
    expected = [measure_value(m, f, counts, facts, special) for m, f in measures]
    assert measure_values(measures, counts, sparse, special) == expected
