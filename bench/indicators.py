"""Indicator benchmark (issue 8, "Scale"): the regional synthetic dataset, then how long each
registered indicator takes for one programme and one year, beside the same figure computed by a
hand-written SQL query in the same process; then the whole dashboard and the funder's view across
all the programmes.

    DATABASE_URL=postgres://…/trama_bench python -m bench.indicators        # full size (1,000,000 people)
    DATABASE_URL=sqlite:////tmp/trama-bench.sqlite3 python -m bench.indicators   # 2 % of it

The data is `manage.py generate_synthetic`'s (trama/evaluation/synthetic.py, seed SEED): 50
programmes, 1,000,000 people, 300,000 households, 10,000,000 attendances with cases, pacts,
volunteers, the time bank, the work and housing plans, at BENCH_SCALE times that (default 1 on
PostgreSQL, 0.02 on SQLite). BENCH_REPEAT (default 3) sets the timed runs after a warm-up. Each
indicator's figure is compared with its SQL's: "agrees" says whether both give the same number (a
benchmark of a wrong answer measures nothing). An indicator without hand-written SQL is listed as
such. The network indicators (new-ties, network-density, marked *) build a networkx graph and
analyse all of it (betweenness, degree, the drawing): their SQL collects the same ties and counts
them, so their ratio includes that analysis. Budgets (DESIGN.md): 200 ms an indicator, 1 s the
dashboard, 1 s the view across programmes, ratio indicator / SQL at most 1.3.
"""

# Hand-written SQL assembled from the models' table names; every value goes as a parameter (S608).
# ruff: noqa: S608

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench import common

SEED = 8
PERIOD_START, PERIOD_END = date(2025, 1, 1), date(2025, 12, 31)
INDICATOR_BUDGET_MS = 200.0
DASHBOARD_BUDGET_MS = 1000.0
ACROSS_BUDGET_MS = 1000.0
RATIO_TARGET = 1.3
MINOR_BANDS_SQL = "('0-5', '6-10', '11-13', '14-17')"


def _tables() -> dict[str, str]:
    from trama.activities.models import Activity, Attendance, Occurrence, Tally
    from trama.casework.models import Assessment, AssessmentScore, Case, Pathway, Referral, ReferralTransition, Session
    from trama.housing.models import (
        Building,
        CoHousing,
        CoHousingMember,
        Guarantee,
        GuaranteeDraw,
        GuaranteeFund,
        HousingSearch,
        LogEntry,
        Tenancy,
    )
    from trama.mutualaid.models import (
        Account,
        GroupMember,
        HourLog,
        LedgerEntry,
        MicroNetworkMember,
        ShiftSignup,
        Volunteer,
        VolunteerShift,
    )
    from trama.network.models import CitizenGroup, CommunityPlace, Organisation, Partnership
    from trama.pacts.models import BudgetLine, Commitment, ContributionLog, Disbursement, Pact, PactVersion, Signatory
    from trama.people.models import Household, HouseholdMember, Person
    from trama.work.models import JobSeeker, Placement

    models = {
        "attendance": Attendance, "occurrence": Occurrence, "activity": Activity, "tally": Tally, "case": Case,
        "session": Session, "pathway": Pathway, "volunteer": Volunteer, "hourlog": HourLog, "member": GroupMember,
        "group": CitizenGroup, "organisation": Organisation, "partnership": Partnership, "pact": Pact,
        "line": BudgetLine, "disbursement": Disbursement, "commitment": Commitment, "log": ContributionLog,
        "assessment": Assessment, "score": AssessmentScore, "referral": Referral, "transition": ReferralTransition,
        "household_member": HouseholdMember, "person": Person, "account": Account, "ledger": LedgerEntry,
        "signup": ShiftSignup, "shift": VolunteerShift, "household": Household, "network_member": MicroNetworkMember,
        "place": CommunityPlace, "pact_version": PactVersion, "signatory": Signatory, "seeker": JobSeeker,
        "placement": Placement, "search": HousingSearch, "tenancy": Tenancy, "fund": GuaranteeFund,
        "guarantee": Guarantee, "draw": GuaranteeDraw, "cohousing": CoHousing, "cohousing_member": CoHousingMember,
        "building": Building, "log_entry": LogEntry,
    }  # fmt: skip
    tables = {name: model._meta.db_table for name, model in models.items()}
    tables["organisers"] = Activity.organisers.through._meta.db_table
    tables["co_groups"] = Activity.co_organising_groups.through._meta.db_table
    tables["attendees"] = Session.attendees.through._meta.db_table
    return tables


def _hours(start: str, end: str) -> str:
    """The hours between two timestamp columns, in the database's own arithmetic."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({end} - {start})) / 3600"
    return f"(julianday({end}) - julianday({start})) * 24"


def _plus_days(column: str, days: int) -> str:
    """A date column plus `days` days."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"({column} + {int(days)})"
    return f"date({column}, '+{int(days)} days')"


def _work_housing_sql(t: dict[str, str]) -> dict[str, str]:
    """The work and housing plans (trama/work/indicators.py, trama/housing/indicators.py)."""
    seekers = (
        f"SELECT COUNT(DISTINCT js.person_id) FROM {t['placement']} p JOIN {t['seeker']} js ON js.id = p.job_seeker_id "
        "WHERE p.programme_id = %(programme)s"
    )
    hired = f"{seekers} AND p.status = 'hired' AND p.hired_on >= %(start)s AND p.hired_on <= %(end)s"
    guarantees = (
        f"FROM {t['guarantee']} g JOIN {t['fund']} f ON f.id = g.fund_id "
        f"JOIN {t['tenancy']} te ON te.id = g.tenancy_id "
        f"JOIN {t['search']} s ON s.id = te.search_id WHERE f.programme_id = %(programme)s "
        "AND g.starts_on >= %(start)s AND g.starts_on <= %(end)s"
    )
    return {
        "work-people-placed": hired,
        "work-internships-started": (
            f"{seekers} AND p.internship_start >= %(start)s AND p.internship_start <= %(end)s"
        ),
        "work-internships-completed": (
            f"{seekers} AND p.internship_start IS NOT NULL AND NOT p.internship_interrupted "
            "AND p.internship_end >= %(start)s AND p.internship_end <= %(last_day)s"
        ),
        "work-hired-within-6-months": f"{hired} AND p.hired_on <= {_plus_days('js.started_on', 183)}",
        "housing-households-housed": (
            f"SELECT COUNT(DISTINCT s.household_id) FROM {t['tenancy']} te JOIN {t['search']} s ON s.id = te.search_id "
            "WHERE te.programme_id = %(programme)s AND te.starts_on >= %(start)s AND te.starts_on <= %(end)s"
        ),
        "housing-guarantees-granted": f"SELECT COUNT(DISTINCT s.household_id) {guarantees}",
        "housing-guaranteed-euro": f"SELECT COALESCE(SUM(g.amount), 0) {guarantees}",
        "housing-fund-drawn-euro": (
            f"SELECT COALESCE(SUM(d.amount), 0) FROM {t['draw']} d JOIN {t['fund']} f ON f.id = d.fund_id "
            "WHERE f.programme_id = %(programme)s AND d.drawn_on >= %(start)s AND d.drawn_on <= %(end)s"
        ),
        "housing-households-cohousing": (
            f"SELECT COUNT(DISTINCT m.household_id) FROM {t['cohousing_member']} m JOIN {t['cohousing']} c "
            "ON c.id = m.cohousing_id WHERE c.programme_id = %(programme)s AND c.starts_on <= %(end)s "
            "AND (c.ends_on IS NULL OR c.ends_on >= %(start)s)"
        ),
        "housing-caretaker-visits": (
            f"SELECT COUNT(*) FROM {t['log_entry']} l JOIN {t['building']} b ON b.id = l.building_id "
            "WHERE b.programme_id = %(programme)s AND l.kind = 'visit' AND l.occurred_on >= %(start)s "
            "AND l.occurred_on <= %(end)s"
        ),
    }


def _network_sql(t: dict[str, str]) -> dict[str, str]:
    """The network (trama/evaluation/network.py builds a networkx graph and measures it): here the
    ties are collected and counted in SQL. A node is a number: an organisation's pk × 2, a citizen
    group's pk × 2 + 1. A tie is new when none of its collaborations came before the period."""
    held = "o.status <> 'cancelled' AND o.starts_at >= %(since)s AND o.starts_at < %(until)s"
    co_organised = (
        f"SELECT a.id FROM {t['activity']} a WHERE a.programme_id = %(programme)s AND EXISTS (SELECT 1 FROM "
        f"{t['occurrence']} o WHERE o.activity_id = a.id AND {held}) AND (SELECT COUNT(*) FROM {t['organisers']} ao "
        f"WHERE ao.activity_id = a.id) + (SELECT COUNT(*) FROM {t['co_groups']} ag WHERE ag.activity_id = a.id) >= 2"
    )
    referrals = (
        f"SELECT r.from_organisation_id, r.target_organisation_id, pl.managing_organisation_id AS place_organisation, "
        f"r.target_group_id FROM {t['referral']} r LEFT JOIN {t['place']} pl ON pl.id = r.target_place_id "
        "WHERE r.programme_id = %(programme)s AND r.target_kind <> 'external' AND r.status NOT IN ('rejected', "
        "'revoked') AND r.created_at >= %(since)s AND r.created_at < %(until)s"
    )
    collaborating = (
        f"WITH co AS ({co_organised}), r AS ({referrals}) SELECT (SELECT COUNT(*) FROM ("
        f"SELECT ao.organisation_id AS pk FROM {t['organisers']} ao WHERE ao.activity_id IN (SELECT id FROM co) "
        "UNION SELECT from_organisation_id FROM r UNION SELECT target_organisation_id FROM r "
        "UNION SELECT place_organisation FROM r) x WHERE pk IS NOT NULL) + (SELECT COUNT(*) FROM ("
        f"SELECT ag.citizengroup_id AS pk FROM {t['co_groups']} ag WHERE ag.activity_id IN (SELECT id FROM co) "
        f"UNION SELECT target_group_id FROM r) y JOIN {t['group']} g ON g.id = y.pk "
        "AND g.programme_id = %(programme)s)"
    )
    ties = (
        "WITH act AS ("
        f"SELECT ao.activity_id AS k, ao.organisation_id * 2 AS node, a.first_start AS at FROM {t['organisers']} ao "
        f"JOIN {t['activity']} a ON a.id = ao.activity_id WHERE a.programme_id = %(programme)s "
        "AND a.first_start < %(until)s "
        f"UNION ALL SELECT ag.activity_id, ag.citizengroup_id * 2 + 1, a.first_start FROM {t['co_groups']} ag "
        f"JOIN {t['activity']} a ON a.id = ag.activity_id WHERE a.programme_id = %(programme)s "
        "AND a.first_start < %(until)s), "
        "ref AS (SELECT r.from_organisation_id * 2 AS source, CASE WHEN r.target_organisation_id IS NOT NULL "
        "THEN r.target_organisation_id * 2 WHEN pl.managing_organisation_id IS NOT NULL "
        "THEN pl.managing_organisation_id * 2 WHEN r.target_group_id IS NOT NULL THEN r.target_group_id * 2 + 1 "
        f"END AS target, r.created_at AS at FROM {t['referral']} r LEFT JOIN {t['place']} pl "
        "ON pl.id = r.target_place_id WHERE r.programme_id = %(programme)s AND r.created_at < %(until)s "
        "AND r.status NOT IN ('rejected', 'revoked')), "
        f"signed AS (SELECT v.pact_id, MIN(v.signed_on) AS day FROM {t['pact_version']} v JOIN {t['pact']} p "
        "ON p.id = v.pact_id WHERE p.programme_id = %(programme)s GROUP BY v.pact_id), "
        "pac AS (SELECT s.pact_id AS k, CASE WHEN s.organisation_id IS NOT NULL THEN s.organisation_id * 2 "
        "WHEN pl.managing_organisation_id IS NOT NULL THEN pl.managing_organisation_id * 2 "
        "WHEN s.group_id IS NOT NULL THEN s.group_id * 2 + 1 END AS node, sg.day "
        f"FROM {t['signatory']} s JOIN signed sg ON sg.pact_id = s.pact_id LEFT JOIN {t['place']} pl "
        "ON pl.id = s.place_id WHERE s.kind <> 'beneficiary' AND sg.day <= %(end)s), "
        "pairs AS (SELECT x.node AS a, y.node AS b, CASE WHEN x.at < %(since)s THEN 1 ELSE 0 END AS old "
        "FROM act x JOIN act y ON y.k = x.k AND x.node < y.node "
        "UNION ALL SELECT CASE WHEN source < target THEN source ELSE target END, "
        "CASE WHEN source < target THEN target ELSE source END, CASE WHEN at < %(since)s THEN 1 ELSE 0 END "
        "FROM ref WHERE target IS NOT NULL AND target <> source "
        "UNION ALL SELECT x.node, y.node, CASE WHEN x.day < %(start)s THEN 1 ELSE 0 END "
        "FROM pac x JOIN pac y ON y.k = x.k AND x.node < y.node), "
        "ties AS (SELECT a, b, MAX(old) AS old FROM pairs GROUP BY a, b), "
        f"nodes AS (SELECT organisation_id * 2 AS node FROM {t['partnership']} WHERE programme_id = %(programme)s "
        f"UNION SELECT id * 2 + 1 FROM {t['group']} WHERE programme_id = %(programme)s "
        "UNION SELECT node FROM act UNION SELECT source FROM ref UNION SELECT target FROM ref "
        "UNION SELECT node FROM pac) "
    )
    return {
        "organisations-collaborating": collaborating,
        "new-ties": f"{ties}SELECT COUNT(*) FROM ties WHERE old = 0",
        "network-density": (
            f"{ties}SELECT CASE WHEN n > 1 THEN ROUND(2.0 * e / (n * (n - 1.0)), 3) ELSE 0 END FROM "
            "(SELECT (SELECT COUNT(*) FROM ties) AS e, (SELECT COUNT(*) FROM nodes WHERE node IS NOT NULL) AS n) c"
        ),
    }


# Indicators whose hand-written SQL computes the figure the indicator reads off a networkx graph: the
# indicator's time includes building the whole graph and its analysis (betweenness, degree, the drawing).
NETWORKX = {"new-ties", "network-density"}


def hand_sql() -> dict[str, str]:
    """The SQL a person would write for each figure. Parameters by name: programme, start, end
    (dates), since, until (the period's first and last midnight in Rome, for timestamp columns),
    last_day (the period's end or today, whichever is earlier)."""
    t = _tables()
    named = (
        f"SELECT COUNT(DISTINCT person_id) FROM {t['attendance']} WHERE programme_id = %(programme)s "
        "AND date >= %(start)s AND date <= %(end)s"
    )
    anonymous = (
        f"SELECT COALESCE(SUM(y.count), 0) FROM {t['tally']} y JOIN {t['occurrence']} o ON o.id = y.occurrence_id "
        f"JOIN {t['activity']} a ON a.id = o.activity_id WHERE a.programme_id = %(programme)s "
        "AND o.starts_at >= %(since)s AND o.starts_at < %(until)s"
    )
    held = "o.status <> 'cancelled' AND o.starts_at >= %(since)s AND o.starts_at < %(until)s"
    organisations = (
        f"SELECT COUNT(*) FROM (SELECT organisation_id FROM {t['partnership']} WHERE programme_id = %(programme)s "
        "AND (start_date IS NULL OR start_date <= %(end)s) AND (end_date IS NULL OR end_date >= %(start)s) "
        f"UNION SELECT ao.organisation_id FROM {t['organisers']} ao JOIN {t['activity']} a ON a.id = ao.activity_id "
        f"JOIN {t['occurrence']} o ON o.activity_id = a.id WHERE a.programme_id = %(programme)s AND {held}) x"
    )
    groups = (
        f"SELECT COUNT(*) FROM (SELECT ag.citizengroup_id FROM {t['co_groups']} ag JOIN {t['activity']} a "
        f"ON a.id = ag.activity_id JOIN {t['occurrence']} o ON o.activity_id = a.id "
        f"WHERE a.programme_id = %(programme)s AND {held} "
        f"UNION SELECT m.group_id FROM {t['member']} m JOIN {t['group']} g ON g.id = m.group_id "
        "WHERE g.programme_id = %(programme)s AND m.joined_on <= %(end)s "
        "AND (m.left_on IS NULL OR m.left_on >= %(start)s)) x"
    )
    cases_opened = (
        f"SELECT COUNT(*) FROM {t['case']} WHERE programme_id = %(programme)s "
        "AND opened_on >= %(start)s AND opened_on <= %(end)s"
    )

    def beneficiary_by(person: str, day: str) -> str:
        """Someone of a household whose case was opened on or before `day`."""
        return (
            f"EXISTS (SELECT 1 FROM {t['household_member']} hm JOIN {t['case']} c ON c.household_id = hm.household_id "
            f"WHERE hm.person_id = {person} AND c.opened_on <= {day})"
        )

    became_volunteers = (
        f"SELECT v.person_id FROM {t['volunteer']} v WHERE v.programme_id = %(programme)s "
        "AND v.status = 'approved' AND v.approved_on >= %(start)s AND v.approved_on <= %(end)s "
        f"AND {beneficiary_by('v.person_id', 'v.approved_on')}"
    )
    joined_groups = (
        f"SELECT m.person_id FROM {t['member']} m JOIN {t['group']} g ON g.id = m.group_id "
        "WHERE g.programme_id = %(programme)s AND m.joined_on >= %(start)s AND m.joined_on <= %(end)s "
        f"AND {beneficiary_by('m.person_id', 'm.joined_on')}"
    )
    return {
        **_work_housing_sql(t),
        **_network_sql(t),
        "households-in-mutual-aid": (
            f"SELECT COUNT(*) FROM {t['household']} h WHERE h.programme_id = %(programme)s AND EXISTS (SELECT 1 "
            f"FROM {t['case']} c WHERE c.household_id = h.id AND c.opened_on <= %(end)s) AND h.id IN ("
            f"SELECT ac.household_id FROM {t['network_member']} m JOIN {t['account']} ac ON ac.id = m.account_id "
            "WHERE m.joined_on <= %(end)s UNION SELECT hm.household_id "
            f"FROM {t['network_member']} m JOIN {t['account']} ac ON ac.id = m.account_id "
            f"JOIN {t['household_member']} hm ON hm.person_id = ac.person_id WHERE m.joined_on <= %(end)s)"
        ),
        "households-needs-improved": (
            "SELECT COUNT(DISTINCT household_id) FROM (SELECT c.household_id, a.assessed_on, s.score, "
            "FIRST_VALUE(s.score) OVER (PARTITION BY c.household_id, s.dimension "
            "ORDER BY a.assessed_on, a.created_at, s.id) AS first_score, "
            "ROW_NUMBER() OVER (PARTITION BY c.household_id, s.dimension "
            "ORDER BY a.assessed_on DESC, a.created_at DESC, s.id DESC) AS latest "
            f"FROM {t['score']} s JOIN {t['assessment']} a ON a.id = s.assessment_id "
            f"JOIN {t['case']} c ON c.id = a.case_id WHERE c.programme_id = %(programme)s "
            "AND a.assessed_on <= %(end)s) x WHERE latest = 1 AND assessed_on >= %(start)s AND score > first_score"
        ),
        "households-referral-completed": (
            f"SELECT COUNT(DISTINCT c.household_id) FROM {t['referral']} r JOIN {t['case']} c ON c.id = r.case_id "
            "WHERE r.programme_id = %(programme)s AND r.status = 'completed' AND EXISTS (SELECT 1 FROM "
            f"{t['transition']} x WHERE x.referral_id = r.id AND x.to_status = 'completed' "
            "AND x.created_at >= %(since)s AND x.created_at < %(until)s)"
        ),
        # The members of the programme's case households, each once, who gave time in any of four ways.
        "beneficiaries-gave-time": (
            f"SELECT COUNT(DISTINCT p.id) FROM {t['case']} c JOIN {t['household_member']} hm "
            f"ON hm.household_id = c.household_id JOIN {t['person']} p ON p.id = hm.person_id "
            "WHERE c.programme_id = %(programme)s AND c.opened_on <= %(end)s AND p.programme_id = %(programme)s "
            "AND (EXISTS ("
            f"SELECT 1 FROM {t['log']} l JOIN {t['commitment']} cm ON cm.id = l.commitment_id "
            f"JOIN {t['pact']} pa ON pa.id = cm.pact_id WHERE pa.person_id = p.id AND l.status = 'confirmed' "
            "AND l.date >= %(start)s AND l.date <= %(end)s) "
            f"OR EXISTS (SELECT 1 FROM {t['hourlog']} h JOIN {t['volunteer']} v ON v.id = h.volunteer_id "
            "WHERE v.person_id = p.id AND h.status = 'confirmed' AND h.date >= %(start)s AND h.date <= %(end)s) "
            f"OR EXISTS (SELECT 1 FROM {t['signup']} su JOIN {t['volunteer']} v ON v.id = su.volunteer_id "
            f"JOIN {t['shift']} sh ON sh.id = su.shift_id JOIN {t['occurrence']} o ON o.id = sh.occurrence_id "
            "WHERE v.person_id = p.id AND su.attended AND o.starts_at >= %(since)s AND o.starts_at < %(until)s) "
            f"OR EXISTS (SELECT 1 FROM {t['ledger']} le JOIN {t['account']} ac ON ac.id = le.account_id "
            "WHERE ac.person_id = p.id AND le.hours > 0 AND le.occurred_on >= %(start)s "
            "AND le.occurred_on <= %(end)s))"
        ),
        "cases-by-channel": cases_opened,
        "cases-by-intake-phase": cases_opened,
        "beneficiaries-became-volunteers": f"SELECT COUNT(DISTINCT person_id) FROM ({became_volunteers}) x",
        "beneficiaries-joined-groups": f"SELECT COUNT(DISTINCT person_id) FROM ({joined_groups}) x",
        "beneficiaries-generative": f"SELECT COUNT(*) FROM ({became_volunteers} UNION {joined_groups}) x",
        "households-supported": (
            f"SELECT COUNT(DISTINCT household_id) FROM {t['case']} WHERE programme_id = %(programme)s "
            "AND opened_on <= %(end)s AND (closed_on IS NULL OR closed_on >= %(start)s)"
        ),
        "people-in-pathways": (
            f"SELECT COUNT(DISTINCT sa.person_id) FROM {t['attendees']} sa "
            f"JOIN {t['session']} s ON s.id = sa.session_id JOIN {t['pathway']} p ON p.id = s.pathway_id "
            "WHERE p.programme_id = %(programme)s "
            "AND s.starts_at >= %(since)s AND s.starts_at < %(until)s"
        ),
        "citizens-reached-named": named,
        "citizens-reached-anonymous": anonymous,
        "citizens-reached": f"SELECT ({named}) + ({anonymous})",
        "minors-reached-named": f"{named} AND is_minor",
        "minors-reached-anonymous": f"{anonymous} AND y.age_band IN {MINOR_BANDS_SQL}",
        "activities-held": (
            f"SELECT COUNT(*) FROM {t['activity']} a WHERE a.programme_id = %(programme)s AND EXISTS "
            f"(SELECT 1 FROM {t['occurrence']} o WHERE o.activity_id = a.id AND {held})"
        ),
        "organisations-active": organisations,
        "groups-active": groups,
        "organisations-and-groups-active": f"SELECT ({organisations}) + ({groups})",
        "volunteers-active": (
            f"SELECT COUNT(DISTINCT person_id) FROM {t['volunteer']} WHERE programme_id = %(programme)s "
            "AND status = 'approved' AND approved_on <= %(end)s"
        ),
        # Attended shifts (their occurrence's length) plus confirmed hour logs.
        "volunteer-hours": (
            f"SELECT COALESCE((SELECT SUM({_hours('o.starts_at', 'o.ends_at')}) FROM {t['signup']} su "
            f"JOIN {t['volunteer']} v ON v.id = su.volunteer_id JOIN {t['shift']} sh ON sh.id = su.shift_id "
            f"JOIN {t['occurrence']} o ON o.id = sh.occurrence_id WHERE v.programme_id = %(programme)s "
            "AND su.attended AND o.starts_at >= %(since)s AND o.starts_at < %(until)s), 0) + COALESCE(("
            f"SELECT SUM(h.hours) FROM {t['hourlog']} h JOIN {t['volunteer']} v ON v.id = h.volunteer_id "
            "WHERE v.programme_id = %(programme)s AND h.status = 'confirmed' AND h.date >= %(start)s "
            "AND h.date <= %(end)s), 0)"
        ),
        "pacts-signed": (
            f"SELECT COUNT(*) FROM {t['pact']} WHERE programme_id = %(programme)s AND started_on >= %(start)s "
            "AND started_on <= %(end)s"
        ),
        "budget-committed": (
            f"SELECT COALESCE(SUM(b.signed_amount), 0) FROM {t['line']} b JOIN {t['pact']} p ON p.id = b.pact_id "
            "WHERE p.programme_id = %(programme)s AND p.started_on >= %(start)s AND p.started_on <= %(end)s"
        ),
        "budget-spent": (
            f"SELECT COALESCE(SUM(d.amount), 0) FROM {t['disbursement']} d JOIN {t['pact']} p ON p.id = d.pact_id "
            "WHERE p.programme_id = %(programme)s AND d.status IN ('approved', 'paid') "
            "AND d.due_on >= %(start)s AND d.due_on <= %(end)s"
        ),
        "hours-given-back": (
            f"SELECT COALESCE(SUM(l.hours), 0) FROM {t['log']} l JOIN {t['commitment']} c ON c.id = l.commitment_id "
            f"JOIN {t['pact']} p ON p.id = c.pact_id WHERE p.programme_id = %(programme)s "
            "AND l.status = 'confirmed' AND l.date >= %(start)s AND l.date <= %(end)s"
        ),
    }


def _parameters(programme: Any) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    ops = connection.ops
    since = timezone.make_aware(datetime.combine(PERIOD_START, datetime.min.time()))
    until = timezone.make_aware(datetime.combine(PERIOD_END + timedelta(days=1), datetime.min.time()))
    last_day = min(PERIOD_END, timezone.localdate())
    return {
        "last_day": ops.adapt_datefield_value(last_day),
        "programme": programme.pk,
        "start": ops.adapt_datefield_value(PERIOD_START),
        "end": ops.adapt_datefield_value(PERIOD_END),
        "since": ops.adapt_datetimefield_value(since),
        "until": ops.adapt_datetimefield_value(until),
    }


def _sql_runner(sql: str, parameters: dict[str, Any]) -> Callable[[], Any]:
    from django.db import connection

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchone()[0]

    return run


def _same(figure: Any, value: Any) -> bool:
    if isinstance(figure, Decimal) or isinstance(value, Decimal | float):
        return Decimal(str(figure or 0)).quantize(Decimal("0.01")) == Decimal(str(value or 0)).quantize(Decimal("0.01"))
    return int(figure or 0) == int(value or 0)


def _ensure_data(scale: float) -> None:
    from trama.evaluation import synthetic

    if synthetic.synthetic_present(SEED):
        print("  the synthetic dataset is already in this database")
        return
    if synthetic.real_data_present():
        raise SystemExit("The benchmark database holds real records: point DATABASE_URL at an empty database.")
    sizes = synthetic.Sizes.scaled(scale)
    print(
        f"  generating {sizes.programmes:,} programmes, {sizes.people:,} people, {sizes.households:,} households, "
        f"{sizes.attendances:,} attendances:"
    )
    started = time.perf_counter()
    synthetic.generate(sizes, seed=SEED, report=lambda line: print(f"  {line}", flush=True))
    print(f"  generate_synthetic took {time.perf_counter() - started:.1f} s")
    with common.stopwatch("ANALYZE"):
        common.analyze()


def time_indicators(programme: Any, period: Any, filters: Any, repeat: int) -> tuple[list[list[Any]], list[str]]:
    """One row per registered indicator: its figure, its first time (the ORM builds the SQL, kept
    for the next calls: trama/evaluation/indicators/common.py), its median time, its SQL's, the
    ratio of the medians, the budget met, and whether both agree; and the list of disagreements."""
    from trama.evaluation import registry

    statements = hand_sql()
    parameters = _parameters(programme)
    rows, disagree = [], []
    for indicator in registry.all_indicators():

        def compute(indicator: Any = indicator) -> Any:
            return indicator.compute(programme, period, filters)

        started = time.perf_counter()
        figure = compute()
        first_ms = (time.perf_counter() - started) * 1000
        ms = common.median_ms(compute, repeat, warm_up=False)
        within = "yes" if ms <= INDICATOR_BUDGET_MS else "NO"
        sql = statements.get(indicator.code)
        if sql is None:
            rows.append([indicator.code, str(figure), first_ms, ms, "no hand SQL", "—", within, "—"])
            continue
        run_sql = _sql_runner(sql, parameters)
        value = run_sql()
        sql_ms = common.median_ms(run_sql, repeat, warm_up=False)
        ratio = ms / sql_ms if sql_ms else float("inf")
        agrees = _same(figure, value)
        if not agrees:
            disagree.append(f"{indicator.code}: indicator {figure}, SQL {value}")
        name = f"{indicator.code} *" if indicator.code in NETWORKX else indicator.code
        rows.append([name, str(figure), first_ms, ms, sql_ms, f"{ratio:.2f}", within, "yes" if agrees else "NO"])
    return rows, disagree


def main() -> None:
    common.setup_django()
    from django.db import connection

    from trama.evaluation import selectors
    from trama.evaluation.models import StoredFigure, bump
    from trama.evaluation.registry import Filters, Period
    from trama.evaluation.synthetic import SLUG_PREFIX
    from trama.territory.models import Programme

    default_scale = "1" if connection.vendor == "postgresql" else "0.02"
    try:
        scale = float(os.environ.get("BENCH_SCALE", "") or default_scale)
    except ValueError:
        raise SystemExit("BENCH_SCALE must be a number, e.g. 0.02") from None
    repeat = common.env_int("BENCH_REPEAT", 3)
    print(f"\n== Indicator benchmark on {common.vendor()} (scale {scale:g}, median of {repeat} runs)")
    _ensure_data(scale)
    programmes = list(Programme.objects.filter(slug__startswith=f"{SLUG_PREFIX}{SEED}-").order_by("slug"))
    programme = programmes[0]
    period = Period(PERIOD_START, PERIOD_END)
    filters = Filters()
    print(f"  programme {programme.slug}, period {PERIOD_START:%d/%m/%Y}–{PERIOD_END:%d/%m/%Y}\n")

    rows, disagree = time_indicators(programme, period, filters, repeat)
    header = ["indicator", "figure", "1st ms", "ms", "SQL ms", "ratio", f"≤ {INDICATOR_BUDGET_MS:.0f} ms", "agrees"]
    print(common.table(header, rows))

    def whole_dashboard() -> Any:
        return selectors.dashboard(programme, period, filters, exact=True)

    def across_programmes() -> Any:
        return selectors.across(programmes, period)

    started = time.perf_counter()
    whole_dashboard()
    dashboard_first_ms = (time.perf_counter() - started) * 1000
    dashboard_ms = common.median_ms(whole_dashboard, repeat, warm_up=False)
    # The funder's view reads the figures stored per programme and recomputes those of the
    # programmes whose records changed (trama/evaluation/figures.py): first with none stored, then
    # as usual (nothing changed), then after a change in five programmes.
    StoredFigure.objects.all().delete()
    started = time.perf_counter()
    across_programmes()
    across_first_ms = (time.perf_counter() - started) * 1000
    across_ms = common.median_ms(across_programmes, repeat, warm_up=False)

    def five_changed() -> Any:
        bump({programme.pk for programme in programmes[:5]})
        return across_programmes()

    across_five_ms = common.median_ms(five_changed, repeat, warm_up=False)

    def met(ms: float, budget: float) -> str:
        return "yes" if ms <= budget else "NO"

    print()
    print(
        common.table(
            ["view", "ms", "budget ms", "met"],
            [
                ["dashboard, first view (exact)", dashboard_first_ms, DASHBOARD_BUDGET_MS,
                 met(dashboard_first_ms, DASHBOARD_BUDGET_MS)],
                ["dashboard, viewed again", dashboard_ms, DASHBOARD_BUDGET_MS, met(dashboard_ms, DASHBOARD_BUDGET_MS)],
                [f"across {len(programmes)} programmes, none stored", across_first_ms, ACROSS_BUDGET_MS,
                 met(across_first_ms, ACROSS_BUDGET_MS)],
                [f"across {len(programmes)} programmes, nothing changed", across_ms, ACROSS_BUDGET_MS,
                 met(across_ms, ACROSS_BUDGET_MS)],
                [f"across {len(programmes)} programmes, 5 changed", across_five_ms, ACROSS_BUDGET_MS,
                 met(across_five_ms, ACROSS_BUDGET_MS)],
            ],
        )
    )  # fmt: skip
    without_sql = sum(1 for row in rows if row[4] == "no hand SQL")
    over_budget = sum(1 for row in rows if row[6] == "NO")
    over_first = sum(1 for row in rows if row[2] > INDICATOR_BUDGET_MS)
    over_ratio = sum(1 for row in rows if row[5] != "—" and float(row[5]) > RATIO_TARGET)
    print(
        f"\n  {len(rows)} indicators: {over_budget} over {INDICATOR_BUDGET_MS:.0f} ms "
        f"({over_first} on their first call), {over_ratio} with a ratio over {RATIO_TARGET}, "
        f"{without_sql} without hand-written SQL.\n"
        "  ratio = indicator (Python included, its SQL kept from the first call) / SQL, medians."
    )
    print(
        "  * The indicator builds the programme's networkx graph and analyses all of it (degree, betweenness, the "
        "drawing);\n    its SQL collects the same ties and counts them (ties new in the period; density = ties / "
        "possible pairs)."
    )
    for line in disagree:
        print(f"  DISAGREES — {line}")


if __name__ == "__main__":
    main()
