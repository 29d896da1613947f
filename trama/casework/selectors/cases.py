"""Reads of cases and of the intake queue, with their joins: each page costs a fixed number of
queries whatever the number of rows. Everything that shows case data starts from
`visible_cases` (S1); the intake queue is for coordinators, whom the views check."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from trama.accounts.models import Membership, Role, User
from trama.casework.models import Case, CasePhaseChange, CaseTeamMember, Channel, IntakeRequest
from trama.casework.permissions import visible_cases
from trama.network.models import Organisation
from trama.people.models import Household, HouseholdMember
from trama.people.selectors import Composition, composition
from trama.territory.models import Programme


@dataclass(frozen=True)
class CaseFilters:
    query: str = ""
    phase: str = ""
    status: str = ""
    organisation: str = ""  # public id
    mine: bool = False


def case_list(user: User, programme: Programme, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The cases `user` may see, filtered, with the lead of each (3 queries with pagination)."""
    filters = filters or CaseFilters()
    cases = (
        visible_cases(user, programme)
        .select_related("household__municipality", "organisation", "action_line")
        .prefetch_related(
            Prefetch(
                "team", queryset=CaseTeamMember.objects.filter(is_lead=True).select_related("user"), to_attr="leads"
            )
        )
    )
    if filters.query:
        cases = cases.filter(household__label__icontains=filters.query)
    if filters.phase in Case.Phase.values:
        cases = cases.filter(phase=filters.phase)
    if filters.status in Case.Status.values:
        cases = cases.filter(status=filters.status)
    if filters.organisation:
        cases = cases.filter(organisation__public_id=filters.organisation)
    if filters.mine:
        cases = cases.filter(pk__in=CaseTeamMember.objects.filter(user=user).values("case_id"))
    return cases.order_by("-opened_on", "-id")


def case_organisations(programme: Programme) -> QuerySet[Organisation]:
    """The organisations that may take a case in charge: those of the programme's network."""
    return Organisation.objects.filter(partnerships__programme=programme).order_by("name").distinct()


def programme_operators(programme: Programme) -> QuerySet[Membership]:
    """Active operator memberships of the programme, of its network's organisations."""
    return (
        Membership.objects.active()
        .filter(programme=programme, role=Role.OPERATOR, organisation__partnerships__programme=programme)
        .select_related("user", "organisation")
        .order_by("user__full_name", "organisation__name")
    )


@dataclass(frozen=True)
class CaseRecord:
    """What the case page shows besides the case itself."""

    members: list[HouseholdMember]
    composition: Composition
    team: list[CaseTeamMember]
    history: list[CasePhaseChange]
    intake: IntakeRequest | None

    @property
    def minor_bands(self) -> list[tuple[str, int]]:
        return [(band, count) for band, count in self.composition.minors_by_band.items() if count]


def case_record(case: Case) -> CaseRecord:
    """The household's members, the team and the status history of `case` (4 queries)."""
    members = list(
        HouseholdMember.objects.filter(household_id=case.household_id)
        .select_related("person")
        .order_by("person__birth_date", "person__last_name")
    )
    team = list(case.team.select_related("user", "organisation").order_by("-is_lead", "user__full_name"))
    history = list(case.phase_changes.select_related("changed_by").order_by("created_at", "id"))
    intake = IntakeRequest.objects.filter(case=case).only("public_id", "channel", "created_at", "case_id").first()
    return CaseRecord(members, composition([member.person for member in members]), team, history, intake)


# --- Intake -------------------------------------------------------------------------------


def intake_queue(
    programme: Programme, *, status: str = IntakeRequest.Status.NEW, channel: str = ""
) -> QuerySet[IntakeRequest]:
    """A programme's requests, oldest first: the ones waiting longest are triaged first."""
    requests = IntakeRequest.objects.for_programme(programme).select_related(
        "municipality", "submitted_by", "submitted_for"
    )
    if status in IntakeRequest.Status.values:
        requests = requests.filter(status=status)
    if channel in Channel.values:
        requests = requests.filter(channel=channel)
    # `message` is special-category text: the list never reads it.
    return requests.defer("message").order_by("created_at", "id")


def household_matches(user: User, programme: Programme, query: str, *, limit: int = 20) -> list[Household]:
    """Households a coordinator may attach a request to, by name (triage)."""
    from trama.people.permissions import visible_households

    if len(query.strip()) < 2:
        return []
    return list(
        visible_households(user, programme)
        .filter(label__icontains=query.strip())
        .select_related("municipality")
        .order_by("label")[:limit]
    )


# --- Home panel ---------------------------------------------------------------------------


def _by_phase(cases: QuerySet[Case]) -> list[tuple[str, str, int]]:
    counts = dict(cases.filter(status=Case.Status.OPEN).values_list("phase").annotate(n=Count("id", distinct=True)))
    return [(phase.value, phase.label, counts.get(phase.value, 0)) for phase in Case.Phase]


def home_panel(user: User, programme: Programme, roles: frozenset[str]) -> dict[str, object]:
    """The case side of the programme home: an operator's own open cases by phase; for a
    coordinator the requests waiting in the intake queue and the programme's open cases by phase."""
    panel: dict[str, object] = {"can_signal": bool(roles & {Role.OPERATOR, Role.LAB_MANAGER, Role.COORDINATOR})}
    if Role.OPERATOR in roles:
        mine = Case.objects.filter(programme=programme, team__user=user)
        panel["my_cases_by_phase"] = _by_phase(mine)
    if Role.COORDINATOR in roles:
        panel["intake_waiting"] = IntakeRequest.objects.filter(
            programme=programme, status=IntakeRequest.Status.NEW
        ).count()
        panel["cases_by_phase"] = _by_phase(Case.objects.filter(programme=programme))
    return panel
