"""Indicator benchmark (issue 8, "Scale"): the regional synthetic dataset, then how long each
registered indicator takes for one programme and one year, beside the same figure computed by a
hand-written SQL query in the same process; then the whole dashboard and the funder's view across
all the programmes.

    DATABASE_URL=postgres://…/trama_bench python -m bench.indicators        # full size (1,000,000 people)
    DATABASE_URL=sqlite:////tmp/trama-bench.sqlite3 python -m bench.indicators   # 2 % of it

The data is `manage.py generate_synthetic`'s (trama/evaluation/synthetic.py, seed SEED): 50
programmes, 1,000,000 people, 300,000 households, 10,000,000 attendances with cases, pacts and
volunteers, at BENCH_SCALE times that (default 1 on PostgreSQL, 0.02 on SQLite). BENCH_REPEAT
(default 3) sets the timed runs after a warm-up. Each indicator's figure is compared with its SQL's:
"agrees" says whether both give the same number (a benchmark of a wrong answer measures nothing).
An indicator without hand-written SQL is listed as such. Budgets (DESIGN.md): 200 ms an indicator,
1 s the dashboard, 1 s the view across programmes, ratio indicator / SQL at most 1.3.
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
    from trama.mutualaid.models import (
        Account,
        GroupMember,
        HourLog,
        LedgerEntry,
        ShiftSignup,
        Volunteer,
        VolunteerShift,
    )
    from trama.network.models import CitizenGroup, Organisation, Partnership
    from trama.pacts.models import BudgetLine, Commitment, ContributionLog, Disbursement, Pact
    from trama.people.models import HouseholdMember, Person

    models = {
        "attendance": Attendance, "occurrence": Occurrence, "activity": Activity, "tally": Tally, "case": Case,
        "session": Session, "pathway": Pathway, "volunteer": Volunteer, "hourlog": HourLog, "member": GroupMember,
        "group": CitizenGroup, "organisation": Organisation, "partnership": Partnership, "pact": Pact,
        "line": BudgetLine, "disbursement": Disbursement, "commitment": Commitment, "log": ContributionLog,
        "assessment": Assessment, "score": AssessmentScore, "referral": Referral, "transition": ReferralTransition,
        "household_member": HouseholdMember, "person": Person, "account": Account, "ledger": LedgerEntry,
        "signup": ShiftSignup, "shift": VolunteerShift,
    }  # fmt: skip
    tables = {name: model._meta.db_table for name, model in models.items()}
    tables["organisers"] = Activity.organisers.through._meta.db_table
    tables["co_groups"] = Activity.co_organising_groups.through._meta.db_table
    tables["attendees"] = Session.attendees.through._meta.db_table
    return tables


def hand_sql() -> dict[str, str]:
    """The SQL a person would write for each figure. Parameters by name: programme, start, end
    (dates), since, until (the period's first and last midnight in Rome, for timestamp columns)."""
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
        "beneficiaries-gave-time": (
            f"SELECT COUNT(*) FROM {t['person']} p WHERE p.programme_id = %(programme)s "
            f"AND {beneficiary_by('p.id', '%(end)s')} AND p.id IN ("
            f"SELECT pa.person_id FROM {t['log']} l JOIN {t['commitment']} cm ON cm.id = l.commitment_id "
            f"JOIN {t['pact']} pa ON pa.id = cm.pact_id WHERE l.status = 'confirmed' "
            "AND l.date >= %(start)s AND l.date <= %(end)s "
            f"UNION SELECT v.person_id FROM {t['hourlog']} h JOIN {t['volunteer']} v ON v.id = h.volunteer_id "
            "WHERE h.status = 'confirmed' AND h.date >= %(start)s AND h.date <= %(end)s "
            f"UNION SELECT v.person_id FROM {t['signup']} su JOIN {t['volunteer']} v ON v.id = su.volunteer_id "
            f"JOIN {t['shift']} sh ON sh.id = su.shift_id JOIN {t['occurrence']} o ON o.id = sh.occurrence_id "
            "WHERE su.attended AND o.starts_at >= %(since)s AND o.starts_at < %(until)s "
            f"UNION SELECT ac.person_id FROM {t['ledger']} le JOIN {t['account']} ac ON ac.id = le.account_id "
            "WHERE le.hours > 0 AND le.occurred_on >= %(start)s AND le.occurred_on <= %(end)s)"
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
        # Confirmed hour logs only: the synthetic data has no volunteer shifts.
        "volunteer-hours": (
            f"SELECT COALESCE(SUM(h.hours), 0) FROM {t['hourlog']} h JOIN {t['volunteer']} v ON v.id = h.volunteer_id "
            "WHERE v.programme_id = %(programme)s AND h.status = 'confirmed' AND h.date >= %(start)s "
            "AND h.date <= %(end)s"
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
    return {
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
    """One row per registered indicator: its figure, its median time, its SQL's, the ratio, the
    budget met, and whether both agree; and the list of disagreements."""
    from trama.evaluation import registry

    statements = hand_sql()
    parameters = _parameters(programme)
    rows, disagree = [], []
    for indicator in registry.all_indicators():

        def compute(indicator: Any = indicator) -> Any:
            return indicator.compute(programme, period, filters)

        figure = compute()
        ms = common.median_ms(compute, repeat, warm_up=False)
        within = "yes" if ms <= INDICATOR_BUDGET_MS else "NO"
        sql = statements.get(indicator.code)
        if sql is None:
            rows.append([indicator.code, str(figure), ms, "no hand SQL", "—", within, "—"])
            continue
        run_sql = _sql_runner(sql, parameters)
        value = run_sql()
        sql_ms = common.median_ms(run_sql, repeat, warm_up=False)
        ratio = ms / sql_ms if sql_ms else float("inf")
        agrees = _same(figure, value)
        if not agrees:
            disagree.append(f"{indicator.code}: indicator {figure}, SQL {value}")
        rows.append([indicator.code, str(figure), ms, sql_ms, f"{ratio:.2f}", within, "yes" if agrees else "NO"])
    return rows, disagree


def main() -> None:
    common.setup_django()
    from django.db import connection

    from trama.evaluation import selectors
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
    header = ["indicator", "figure", "ms", "SQL ms", "ratio", f"≤ {INDICATOR_BUDGET_MS:.0f} ms", "agrees"]
    print(common.table(header, rows))

    def whole_dashboard() -> Any:
        return selectors.dashboard(programme, period, filters, exact=True)

    def across_programmes() -> Any:
        return selectors.across(programmes, period)

    whole_dashboard()
    dashboard_ms = common.median_ms(whole_dashboard, repeat, warm_up=False)
    across_programmes()
    across_ms = common.median_ms(across_programmes, repeat, warm_up=False)
    print()
    print(
        common.table(
            ["view", "ms", "budget ms", "met"],
            [
                ["dashboard (one programme, exact)", dashboard_ms, DASHBOARD_BUDGET_MS,
                 "yes" if dashboard_ms <= DASHBOARD_BUDGET_MS else "NO"],
                [f"across {len(programmes)} programmes (funder)", across_ms, ACROSS_BUDGET_MS,
                 "yes" if across_ms <= ACROSS_BUDGET_MS else "NO"],
            ],
        )
    )  # fmt: skip
    without_sql = sum(1 for row in rows if row[3] == "no hand SQL")
    over_budget = sum(1 for row in rows if row[5] == "NO")
    over_ratio = sum(1 for row in rows if row[4] != "—" and float(row[4]) > RATIO_TARGET)
    print(
        f"\n  {len(rows)} indicators: {over_budget} over {INDICATOR_BUDGET_MS:.0f} ms, {over_ratio} with a ratio over "
        f"{RATIO_TARGET}, {without_sql} without hand-written SQL. ratio = indicator (Python included) / SQL."
    )
    for line in disagree:
        print(f"  DISAGREES — {line}")


if __name__ == "__main__":
    main()
