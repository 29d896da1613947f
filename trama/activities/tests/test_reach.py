"""Reach selectors on a hand-computed dataset: distinct people, minors, households, contacts and
anonymous head counts, never merged; breakdowns whose rows overlap and whose total is its own
distinct count; period boundaries; who sees what, and small-cell suppression (S8).

The dataset (programme A, school year 1 Sept 2025 – 31 Aug 2026), built through the services so
age bands are derived as in production:

    activity  line  place  municipality  dates (local)
    H homework L1    P1    Pavia         2025-10-06, 2025-10-13, 2025-10-20
    S sport    L2    P2    Vigevano      2025-08-31 (before the period), 2026-03-02, 2026-08-31 (last day)
    E party    —     —     Pavia         2025-08-31 (before the period), 2026-05-10: head counts only

    person  born        gender  household  attended
    anna    1985-03-14  F       HH1        H ×3, S 2026-03-02                → 4 contacts
    marco   2008-01-15  M       HH1        H 2025-10-06 (17: minor, 14–17), S 2026-03-02 (18: adult)
    bimbo   2017-05-01  M       HH2        H 2025-10-13, H 2025-10-20 (8: 6–10)
    solo    1990-06-01  —       none       S 2026-03-02, S 2026-08-31
    early   1980-01-01  F       HH3        S 2025-08-31 only: outside the period

    tallies of E 2026-05-10: 0–5 F 10, 6–10 M 15, 18–64 F 30, 18–64 unknown 5 → 60, of whom 25 minors
    tally of E 2025-08-31: 18–64 F 100 → outside the period
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from trama.accounts.models import Role
from trama.activities import reach
from trama.activities.models import Activity, Attendance
from trama.activities.reach import Breakdown, Figures, Reach, ReachQuery, Row
from trama.activities.services import attendance_set, tally_set
from trama.activities.tests.factories import ActivityFactory, OccurrenceFactory, rome
from trama.casework.tests.factories import HouseholdFactory, HouseholdMemberFactory, PersonFactory
from trama.core.tests.factories import ActionLineFactory, CommunityPlaceFactory, MembershipFactory
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The row labels below are the English msgids: read them in English."""
    with translation.override("en"):
        yield


YEAR = ReachQuery(start=date(2025, 9, 1), end=date(2026, 8, 31))


def _occurrence(activity, *start):
    return OccurrenceFactory(activity=activity, starts_at=rome(*start))


def _activity(programme, **fields):
    return ActivityFactory(programme=programme, expand=False, **fields)


@pytest.fixture
def data(programme, other_programme):
    pavia = Municipality.objects.get(istat_code="018110")
    vigevano = Municipality.objects.get(istat_code="018177")
    l1 = ActionLineFactory(programme=programme, name="Crescere", position=1)
    l2 = ActionLineFactory(programme=programme, name="Costruire", position=2)
    p1 = CommunityPlaceFactory(programme=programme, name="Laboratorio Pavia", municipality=pavia)
    p2 = CommunityPlaceFactory(programme=programme, name="Laboratorio Vigevano", municipality=vigevano)
    h = _activity(programme, title="Aiuto compiti", action_line=l1, place=p1)
    s = _activity(programme, title="Sport", kind=Activity.Kind.SPORT, action_line=l2, place=p2)
    e = _activity(
        programme, title="Festa", kind=Activity.Kind.PUBLIC_EVENT, place=None, venue="Piazza", municipality=pavia
    )
    hh1, hh2, hh3 = (HouseholdFactory(programme=programme) for _ in range(3))
    anna = PersonFactory(programme=programme, first_name="Anna", birth_date=date(1985, 3, 14), gender="F")
    marco = PersonFactory(programme=programme, first_name="Marco", birth_date=date(2008, 1, 15), gender="M")
    bimbo = PersonFactory(programme=programme, first_name="Bimbo", birth_date=date(2017, 5, 1), gender="M")
    solo = PersonFactory(programme=programme, first_name="Solo", birth_date=date(1990, 6, 1), gender="")
    early = PersonFactory(programme=programme, first_name="Early", birth_date=date(1980, 1, 1), gender="F")
    for household, person in ((hh1, anna), (hh1, marco), (hh2, bimbo), (hh3, early)):
        HouseholdMemberFactory(household=household, person=person)

    def present(occurrence, *people):
        attendance_set(actor=None, occurrence=occurrence, present=list(people))

    present(_occurrence(h, 2025, 10, 6, 16, 30), anna, marco)
    present(_occurrence(h, 2025, 10, 13, 16, 30), anna, bimbo)
    present(_occurrence(h, 2025, 10, 20, 16, 30), anna, bimbo)
    present(_occurrence(s, 2025, 8, 31, 10, 0), early)
    present(_occurrence(s, 2026, 3, 2, 17, 0), anna, marco, solo)
    present(_occurrence(s, 2026, 8, 31, 22, 0), solo)
    party = _occurrence(e, 2026, 5, 10, 15, 0)
    tally_set(
        actor=None,
        occurrence=party,
        cells={("0-5", "F"): 10, ("6-10", "M"): 15, ("18-64", "F"): 30, ("18-64", ""): 5},
    )
    tally_set(actor=None, occurrence=_occurrence(e, 2025, 8, 31, 21, 0), cells={("18-64", "F"): 100})

    # Programme B: its own person (the same human as Anna, recorded by B) at B's activity.
    b_activity = _activity(other_programme, title="Laboratorio B")
    anna_b = PersonFactory(programme=other_programme, first_name="Anna", birth_date=date(1985, 3, 14))
    bea = PersonFactory(programme=other_programme, first_name="Bea", birth_date=date(2015, 2, 2))
    present(_occurrence(b_activity, 2025, 11, 3, 16, 0), anna_b, bea)
    return SimpleNamespace(
        l1=l1, l2=l2, p1=p1, p2=p2, h=h, s=s, e=e, anna=anna, marco=marco, bimbo=bimbo, solo=solo, pavia=pavia,
        vigevano=vigevano,
    )  # fmt: skip


def _rows(result: Reach) -> dict[str, Figures]:
    return {row.label: row.figures for row in result.rows}


def test_it_counts_people_once_and_every_attendance_as_a_contact(programme, data):
    result = reach.reach_figures(programme, YEAR)
    # anna, marco, bimbo, solo (early attended only before the period).
    assert result.total.people == 4
    # H: 2 + 2 + 2 = 6 attendances; S in the period: 3 (2026-03-02) + 1 (2026-08-31) = 4.
    assert result.total.contacts == 10
    # marco (17 on 2025-10-06) and bimbo; marco counts although he was 18 at sport in March.
    assert result.total.minors == 2
    # HH1 (anna, marco) and HH2 (bimbo); solo is in no household; HH3 (early) is outside the period.
    assert result.total.households == 2
    # 10 + 15 + 30 + 5 at the party of 2026-05-10; the 100 of 2025-08-31 are outside the period.
    assert result.total.anonymous == 60
    assert result.total.anonymous_minors == 10 + 15
    assert result.total.combined == 4 + 60
    assert result.rows == []


def test_it_never_merges_head_counts_into_the_distinct_counts(programme, data):
    before = reach.reach_figures(programme, YEAR).total
    # Anna is also counted at the party among the 30 adult women: a head count cannot tell.
    tally_set(
        actor=None, occurrence=data.e.occurrences.get(starts_at=rome(2026, 5, 10, 15, 0)), cells={("18-64", "F"): 31}
    )
    after = reach.reach_figures(programme, YEAR).total
    assert (after.people, after.minors, after.households, after.contacts) == (4, 2, 2, 10)
    assert (before.anonymous, after.anonymous) == (60, 31)
    assert after.combined == 4 + 31


def test_it_keeps_a_person_in_another_programme_out(programme, other_programme, data):
    assert reach.reach_figures(programme, YEAR).total.people == 4
    theirs = reach.reach_figures(other_programme, YEAR).total
    # Only B's own two people, one contact each; nothing of A's.
    assert (theirs.people, theirs.contacts, theirs.minors, theirs.anonymous) == (2, 2, 1, 0)


def test_it_counts_a_minor_who_turns_18_in_the_period_as_a_minor_once(programme, data):
    marco = Attendance.objects.filter(person=data.marco).order_by("date")
    assert [(a.date, a.age_band, a.is_minor) for a in marco] == [
        (date(2025, 10, 6), "14-17", True),
        (date(2026, 3, 2), "18-64", False),
    ]
    # Only the spring: marco is an adult then, bimbo did not attend.
    spring = reach.reach_figures(programme, ReachQuery(start=date(2026, 1, 1), end=date(2026, 8, 31))).total
    assert (spring.people, spring.minors) == (3, 0)  # anna, marco, solo


def test_it_includes_both_ends_of_the_period(programme, data):
    last_day = reach.reach_figures(programme, ReachQuery(start=date(2026, 8, 31), end=date(2026, 8, 31))).total
    assert (last_day.people, last_day.contacts) == (1, 1)  # solo at 22:00 local time on the 31st
    day_before = reach.reach_figures(programme, ReachQuery(start=date(2025, 8, 31), end=date(2025, 8, 31))).total
    # early's sport, and the party's 100 at 21:00 local time (19:00 UTC) of the 31st.
    assert (day_before.people, day_before.households, day_before.anonymous) == (1, 1, 100)
    first_day = reach.reach_figures(programme, ReachQuery(start=date(2025, 9, 1), end=date(2025, 9, 1))).total
    assert first_day == Figures()


def test_it_dates_head_counts_by_the_local_day_of_the_occurrence(programme, data):
    # 00:30 in Rome on 1 September 2026 is still 31 August in UTC: it belongs to the next period.
    tally_set(actor=None, occurrence=_occurrence(data.e, 2026, 9, 1, 0, 30), cells={("18-64", "M"): 7})
    assert reach.reach_figures(programme, YEAR).total.anonymous == 60
    autumn = reach.reach_figures(programme, ReachQuery(start=date(2026, 9, 1), end=date(2026, 9, 30))).total
    assert autumn.anonymous == 7


def test_it_keeps_erased_people_counted(programme, data):
    type(data.solo).objects.filter(pk=data.solo.pk).update(first_name="—", last_name="—", erased_at=timezone.now())
    assert reach.reach_figures(programme, YEAR).total.people == 4


def test_it_breaks_down_by_action_line_with_overlapping_rows_and_a_distinct_total(programme, data):
    result = reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, breakdown="action_line"))
    rows = _rows(result)
    assert list(rows) == ["Crescere", "Costruire", "no action line"]
    # Crescere (H): anna, marco, bimbo; minors marco and bimbo; HH1, HH2; 6 attendances.
    assert rows["Crescere"] == Figures(people=3, minors=2, households=2, contacts=6)
    # Costruire (S): anna, marco (18 by then), solo; HH1 only; 3 + 1 attendances.
    assert rows["Costruire"] == Figures(people=3, minors=0, households=1, contacts=4)
    # The party has no action line: head counts only.
    assert rows["no action line"] == Figures(anonymous=60, anonymous_minors=25)
    # anna and marco are in both lines: 3 + 3 rows, 4 people in the total.
    assert result.total.people == 4
    assert [row.key for row in result.rows] == [str(data.l1.public_id), str(data.l2.public_id), "none"]


def test_it_breaks_down_by_place_and_municipality_of_the_activity(programme, data):
    by_place = _rows(reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, breakdown="place")))
    assert by_place["Laboratorio Pavia"].people == 3
    assert by_place["Laboratorio Vigevano"].people == 3
    assert by_place["elsewhere (not a place of the network)"].anonymous == 60
    by_town = _rows(
        reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, breakdown="municipality"))
    )
    assert list(by_town) == ["Pavia", "Vigevano"]
    # Pavia: H and the party.
    assert by_town["Pavia"] == Figures(people=3, minors=2, households=2, contacts=6, anonymous=60, anonymous_minors=25)
    assert by_town["Vigevano"] == Figures(people=3, minors=0, households=1, contacts=4)


def test_it_breaks_down_by_the_age_band_of_each_attendance(programme, data):
    result = reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, breakdown="age_band"))
    rows = {row.key: row.figures for row in result.rows}
    assert list(rows) == ["0-5", "6-10", "14-17", "18-64"]
    assert rows["0-5"] == Figures(anonymous=10, anonymous_minors=10)  # head counts only
    assert rows["6-10"] == Figures(people=1, minors=1, households=1, contacts=2, anonymous=15, anonymous_minors=15)
    assert rows["14-17"] == Figures(people=1, minors=1, households=1, contacts=1)  # marco in October
    # anna (3 + 1), marco (1, in March), solo (2); HH1; the 30 + 5 adults of the party.
    assert rows["18-64"] == Figures(people=3, minors=0, households=1, contacts=7, anonymous=35)
    # marco is in two bands: 1 + 1 + 3 = 5 in the rows, 4 people in the total.
    assert sum(f.people for f in rows.values()) == 5
    assert result.total.people == 4


def test_it_breaks_down_by_gender_of_the_person_and_of_the_head_count(programme, data):
    rows = {
        row.key: row.figures
        for row in reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, breakdown="gender")).rows
    }
    assert list(rows) == ["F", "M", "unknown"]
    # F: anna (4 contacts, HH1); the party's 10 girls and 30 women.
    assert rows["F"] == Figures(people=1, minors=0, households=1, contacts=4, anonymous=40, anonymous_minors=10)
    # M: marco (2) and bimbo (2), both minors in the period; HH1 and HH2; the party's 15 boys.
    assert rows["M"] == Figures(people=2, minors=2, households=2, contacts=4, anonymous=15, anonymous_minors=15)
    # Not stated: solo (no household); the party's 5 adults of unrecorded gender.
    assert rows["unknown"] == Figures(people=1, minors=0, households=0, contacts=2, anonymous=5)


def test_it_filters_by_action_line_place_and_kind(programme, data):
    line = reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, action_line=data.l1)).total
    assert (line.people, line.contacts, line.anonymous) == (3, 6, 0)
    place = reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, place=data.p2)).total
    assert (place.people, place.minors, place.households, place.contacts) == (3, 0, 1, 4)
    events = reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, kind="public_event")).total
    assert (events.people, events.anonymous) == (0, 60)


def test_it_costs_a_fixed_number_of_queries(programme, data, django_assert_num_queries):
    with django_assert_num_queries(3):  # named, households, head counts
        reach.reach_figures(programme, YEAR)
    with django_assert_num_queries(6):  # + the same three by age band
        reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, breakdown="age_band"))
    with django_assert_num_queries(7):  # + the labels of the places
        reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, breakdown="place"))
    # Twenty more people at twenty more sessions: the same queries.
    for day in range(1, 21):
        occurrence = _occurrence(data.h, 2026, 2, day, 16, 30)
        attendance_set(actor=None, occurrence=occurrence, present=[PersonFactory(programme=programme)])
    with django_assert_num_queries(7):
        result = reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, breakdown="place"))
    assert result.total.people == 24


# --- Access and suppression -----------------------------------------------------------------------


def test_it_lets_a_lab_manager_see_only_their_own_activities(programme, data):
    lab_manager = MembershipFactory(
        programme=programme, organisation=data.p1.managing_organisation, role=Role.LAB_MANAGER
    ).user
    mine = reach.reach_for_user(lab_manager, programme, YEAR)
    # Only H, at their place: anna, marco, bimbo; exact figures.
    assert mine.exact
    assert (mine.total["people"].value, mine.total["contacts"].value, mine.total["anonymous"].value) == (3, 6, 0)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.COORDINATOR, True),
        (Role.EVALUATOR, True),
        (Role.FUNDER, True),
        (Role.LAB_MANAGER, True),
        (Role.OPERATOR, False),
        (Role.VOLUNTEER, False),
    ],
)
def test_it_tells_who_may_see_reach(programme, member, role, allowed):
    assert reach.can_see_reach(member(role), programme) is allowed


def test_it_refuses_reach_to_an_operator_and_to_another_programme(programme, other_programme, member, data):
    with pytest.raises(PermissionDenied):
        reach.reach_for_user(member(Role.OPERATOR), programme, YEAR)
    with pytest.raises(PermissionDenied):
        reach.reach_for_user(member(Role.COORDINATOR, of=other_programme), programme, YEAR)


def test_it_suppresses_small_cells_for_evaluators_and_funders(programme, member, data):
    for role in (Role.EVALUATOR, Role.FUNDER):
        seen = reach.reach_for_user(member(role), programme, YEAR)
        assert not seen.exact
        # 4 people, 2 minors, 2 households: hidden; 10 contacts and the head counts: shown.
        assert [(seen.total[c].value, str(seen.total[c])) for c in ("people", "minors", "households")] == [
            (None, "< 5")
        ] * 3
        assert seen.total["contacts"].value == 10
        assert seen.total["anonymous"].value == 60
        # combined = people + 60 would give the 4 back: it is shown as fewer than 60 + 5.
        assert (seen.total["combined"].value, str(seen.total["combined"])) == (None, "< 65")
    exact = reach.reach_for_user(member(Role.COORDINATOR), programme, YEAR)
    assert (exact.total["people"].value, exact.total["combined"].value) == (4, 64)


def _reach(total: Figures, *rows: Figures) -> Reach:
    return Reach(query=YEAR, total=total, rows=[Row(key=str(i), label=str(i), figures=f) for i, f in enumerate(rows)])


def test_it_hides_a_second_cell_when_one_alone_could_be_worked_out_from_the_total():
    # Women 17, men 3, total 20: 20 − 17 would give the 3 back, so the 17 is shown as "≥ 5".
    seen = reach.shown(_reach(Figures(people=20), Figures(people=17), Figures(people=3)), exact=False)
    assert [str(row.cells["people"]) for row in seen.rows] == ["≥ 5", "< 5"]
    assert seen.total["people"].value == 20
    assert seen.rows[0].cells["people"].value is None
    # Two small cells already hide each other; zeros stay zeros; coordinators see everything.
    seen = reach.shown(_reach(Figures(people=27), Figures(people=20), Figures(people=3), Figures(people=4),
                              Figures(people=0)), exact=False)  # fmt: skip
    assert [str(row.cells["people"]) for row in seen.rows] == ["20", "< 5", "< 5", "0"]
    exact = reach.shown(_reach(Figures(people=20), Figures(people=17), Figures(people=3)), exact=True)
    assert [row.cells["people"].value for row in exact.rows] == [17, 3]


def test_it_knows_the_school_year():
    assert reach.school_year(date(2026, 11, 28)) == (date(2026, 9, 1), date(2027, 8, 31))
    assert reach.school_year(date(2026, 8, 31)) == (date(2025, 9, 1), date(2026, 8, 31))
    assert reach.school_year(date(2026, 9, 1)) == (date(2026, 9, 1), date(2027, 8, 31))


def test_it_refuses_an_unknown_breakdown(programme):
    with pytest.raises(ValueError, match="nationality"):
        reach.reach_figures(programme, ReachQuery(start=YEAR.start, end=YEAR.end, breakdown="nationality"))
    assert set(Breakdown.values) == {"action_line", "place", "municipality", "age_band", "gender"}
