"""Outcome indicators: the four changes of seed 000's theory of change, and the organisations' side
(how households reach the programme, and at which phase)."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, FirstValue, RowNumber
from django.utils.translation import gettext_lazy as _

from trama.casework.models import AssessmentScore, Case, CasePhaseChange, Referral, ReferralTransition
from trama.evaluation.indicators.common import counted, in_dates, in_days
from trama.evaluation.registry import Period
from trama.mutualaid.models import HourLog, LedgerEntry, MicroNetworkMember, ShiftSignup
from trama.pacts.models import ContributionLog
from trama.people.models import Household, HouseholdMember, Person
from trama.territory.models import Programme

# --- 1. Families better equipped: the needs assessment improved ---------------------------------------


def _improved_scores(programme: Programme, period: Period) -> QuerySet:
    """The latest score (on or before the period's end) of each household and dimension, when that
    assessment falls in the period and the score is better (higher) than the household's first one.

    One pass over the programme's scores with two window functions (the first score and the rank from
    the latest of each household and dimension) rather than two correlated subqueries per score: the
    plan of the hand-written query of bench/indicators.py."""
    household = "assessment__case__household"
    partition = [F(household), F("dimension")]
    oldest_first = [F("assessment__assessed_on").asc(), F("assessment__created_at").asc(), F("pk").asc()]
    latest_first = [F("assessment__assessed_on").desc(), F("assessment__created_at").desc(), F("pk").desc()]
    ranked = (
        AssessmentScore.objects.filter(assessment__case__programme=programme, assessment__assessed_on__lte=period.end)
        .annotate(
            first_score=Window(FirstValue("score"), partition_by=partition, order_by=oldest_first),
            rank=Window(RowNumber(), partition_by=partition, order_by=latest_first),
            # The latest day as a window too: a filter on it applies after the windows, where a filter
            # on the column would drop the earlier assessments (and the first score) before them.
            latest_day=Window(FirstValue("assessment__assessed_on"), partition_by=partition, order_by=latest_first),
        )
        .filter(rank=1, latest_day__gte=period.start, score__gt=F("first_score"))
        .values("pk")
    )
    return AssessmentScore.objects.filter(pk__in=ranked)


NEEDS_IMPROVED = counted(
    code="households-needs-improved",
    name=_("Households whose needs assessment improved"),
    description=_("Families more aware and better equipped: their needs assessment improved over time."),
    counting_rule=_(
        "Distinct households whose latest assessment in the period scores better (scores go from 1, serious "
        "difficulty, to 5, no difficulty) than their first assessment on at least one dimension. Households "
        "assessed once do not count. By dimension, a household counts in every dimension that improved."
    ),
    unit="households",
    kind="outcome",
    rows=_improved_scores,
    aggregate=lambda: Count("assessment__case__household", distinct=True),
    dimensions={
        "municipality": "assessment__case__household__municipality_id",
        "action_line": "assessment__case__action_line_id",
    },
    extra={"dimension": "dimension"},
)

# --- 2. Families better able to use services: referrals completed -------------------------------------


def _referrals_completed(programme: Programme, period: Period) -> QuerySet:
    completed = ReferralTransition.objects.filter(referral=OuterRef("pk"), to_status=Referral.Status.COMPLETED).filter(
        in_days("created_at", period)
    )
    return Referral.objects.filter(programme=programme, status=Referral.Status.COMPLETED).filter(Exists(completed))


REFERRALS_COMPLETED = counted(
    code="households-referral-completed",
    name=_("Households that used a service they were referred to"),
    description=_("Families better informed and able to use services: a referral of theirs was completed."),
    counting_rule=_(
        "Distinct households of the cases with a referral marked completed on a day in the period (the service "
        "was actually used); pending, rejected and revoked referrals do not count."
    ),
    unit="households",
    kind="outcome",
    rows=_referrals_completed,
    aggregate=lambda: Count("case__household", distinct=True),
    dimensions={"municipality": "case__household__municipality_id", "action_line": "case__action_line_id"},
    records=True,
)

# --- 3. Families in mutual-aid micro-networks ----------------------------------------------------------


def _beneficiary_households(programme: Programme, period: Period) -> QuerySet:
    return Household.objects.filter(programme=programme).filter(
        Exists(Case.objects.filter(household=OuterRef("pk"), opened_on__lte=period.end))
    )


def _households_in_networks(programme: Programme, period: Period) -> QuerySet:
    """Households joined with their own account, UNION those one of whose members joined: two
    indexed joins, where an OR of both inside one EXISTS per household was ten times slower."""
    own = (
        MicroNetworkMember.objects.filter(joined_on__lte=period.end, account__household__programme=programme)
        .values("account__household")
        .order_by()
    )
    through_members = (
        HouseholdMember.objects.filter(
            household__programme=programme, person__time_account__network_memberships__joined_on__lte=period.end
        )
        .values("household")
        .order_by()
    )
    return _beneficiary_households(programme, period).filter(pk__in=own.union(through_members))


IN_MUTUAL_AID = counted(
    code="households-in-mutual-aid",
    name=_("Households in mutual-aid networks"),
    description=_("Families taking part in the mutual-aid micro-networks of the time bank."),
    counting_rule=_(
        "Households with a case opened by the end of the period that had joined a mutual-aid micro-network by "
        "then, with their household account or through one of their members; each household once."
    ),
    unit="households",
    kind="outcome",
    rows=_households_in_networks,
    aggregate=lambda: Count("pk"),
    dimensions={"municipality": "municipality_id"},
    records=True,
)

# --- 4. Families contributing to community life: time given back ----------------------------------------


def _beneficiaries(programme: Programme, period: Period) -> QuerySet:
    # Correlated from the person's memberships and scoped to the programme's cases (see
    # generativity._beneficiary_before): a few index probes per person, not a hash of the region.
    return Person.objects.filter(programme=programme).filter(
        Exists(
            HouseholdMember.objects.filter(
                person=OuterRef("pk"),
                household__cases__programme=programme,
                household__cases__opened_on__lte=period.end,
            )
        )
    )


def _gave_time(programme: Programme, period: Period) -> QuerySet:
    pact_hours = ContributionLog.objects.filter(
        commitment__pact__person=OuterRef("pk"), status=ContributionLog.Status.CONFIRMED
    ).filter(in_dates("date", period))
    exchanges = LedgerEntry.objects.filter(account__person=OuterRef("pk"), hours__gt=0).filter(
        in_dates("occurred_on", period)
    )
    logs = HourLog.objects.filter(volunteer__person=OuterRef("pk"), status=HourLog.Status.CONFIRMED).filter(
        in_dates("date", period)
    )
    shifts = ShiftSignup.objects.filter(volunteer__person=OuterRef("pk"), attended=True).filter(
        in_days("shift__occurrence__starts_at", period)
    )
    return _beneficiaries(programme, period).filter(
        Q(Exists(pact_hours)) | Q(Exists(exchanges)) | Q(Exists(logs)) | Q(Exists(shifts))
    )


GAVE_TIME = counted(
    code="beneficiaries-gave-time",
    name=_("Beneficiaries who gave time back"),
    description=_("Members of supported households who gave their time to the community."),
    counting_rule=_(
        "Distinct members of households with a case who, on a day in the period, had confirmed hours for a pact "
        "commitment, gave hours in the time bank, or served as a volunteer (attended shift or confirmed hours)."
    ),
    unit="people",
    kind="outcome",
    rows=_gave_time,
    aggregate=lambda: Count("pk"),
    dimensions={"municipality": "municipality_id", "gender": "gender"},
    records=True,
)

# --- The organisations' side: interception ------------------------------------------------------------


def _cases_opened(programme: Programme, period: Period) -> QuerySet:
    return Case.objects.filter(programme=programme).filter(in_dates("opened_on", period))


CASES_BY_CHANNEL = counted(
    code="cases-by-channel",
    name=_("New cases by referral channel"),
    description=_("How households reached the programme: school, social services, a lab, the public form…"),
    counting_rule=_("Cases opened in the period, by the channel through which the household arrived."),
    unit="cases",
    kind="outcome",
    rows=_cases_opened,
    aggregate=lambda: Count("pk"),
    dimensions={"municipality": "household__municipality_id", "action_line": "action_line_id"},
    extra={"channel": "referral_source"},
    records=True,
)


def _cases_with_intake_phase(programme: Programme, period: Period) -> QuerySet:
    first = CasePhaseChange.objects.filter(case=OuterRef("pk")).order_by("created_at", "pk").values("to_phase")[:1]
    return _cases_opened(programme, period).annotate(intake_phase=Coalesce(Subquery(first), F("phase")))


CASES_BY_PHASE = counted(
    code="cases-by-intake-phase",
    name=_("New cases by phase at intake"),
    description=_("At which phase households were taken in: an earlier phase means a more preventive interception."),
    counting_rule=_(
        "Cases opened in the period, by the phase recorded when the case was opened (its first phase change, or "
        "its phase when it has none)."
    ),
    unit="cases",
    kind="outcome",
    rows=_cases_with_intake_phase,
    aggregate=lambda: Count("pk"),
    dimensions={"municipality": "household__municipality_id", "action_line": "action_line_id"},
    extra={"phase": "intake_phase"},
)
