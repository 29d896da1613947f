"""The placement pipeline: proposed → interview → internship / hired / not selected, its money and
its bad input; and the outcome indicators computed from it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from trama.accounts.models import AuditEvent
from trama.core.concurrency import StaleVersionError
from trama.evaluation.registry import Filters, Period, get
from trama.funding.models import FundingSource
from trama.territory.models import Programme
from trama.work import services
from trama.work.models import JobSeeker, Opening, Placement, PlacementTransition
from trama.work.services import Step
from trama.work.tests.conftest import make_opening

pytestmark = pytest.mark.django_db
TODAY = date.today()  # noqa: DTZ011 — relative dates for a test; the services use the local date


@pytest.fixture
def opening(work):
    return make_opening(work.programme, work.company, work.bassa.montichiari, skills=["warehouse"])


@pytest.fixture
def source(work):
    return FundingSource.objects.create(
        programme=work.programme, kind=FundingSource.Kind.GRANT, name="Contributo Fondazione", amount=Decimal(50000)
    )


def _move(work, placement, **step):
    placement.refresh_from_db()
    return services.placement_move(
        actor=work.owner, placement=placement, expected_version=placement.version, step=Step(**step)
    )


def test_it_walks_a_placement_to_the_hiring(work, opening, source):
    placement = services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna, score=0.9)
    _move(work, placement, to_status="interview", on=TODAY - timedelta(days=60))
    _move(
        work, placement, to_status="internship", on=TODAY - timedelta(days=50),
        internship_start=TODAY - timedelta(days=50), internship_end=TODAY + timedelta(days=40),
        grant_amount=Decimal("500.00"), grant_months=3, grant_source=source,
    )  # fmt: skip
    placement = _move(
        work, placement, to_status="hired", on=TODAY, hiring_contract="permanent",
        incentive_amount=Decimal("3000.00"), incentive_source=source,
    )  # fmt: skip
    placement.refresh_from_db()
    assert placement.status == Placement.Status.HIRED
    assert placement.grant_total == Decimal("1500.00")
    assert placement.internship_end == TODAY  # hired before the planned end
    assert not placement.internship_interrupted
    assert [t.to_status for t in placement.transitions.order_by("created_at")] == [
        "proposed", "interview", "internship", "hired"
    ]  # fmt: skip
    assert JobSeeker.objects.get(pk=work.anna.pk).status == JobSeeker.Status.PLACED
    assert Opening.objects.get(pk=opening.pk).status == Opening.Status.FILLED
    assert AuditEvent.objects.filter(target_id=str(placement.public_id), action="update").count() == 3


@pytest.mark.parametrize("to_status", ["hired", "internship", "proposed", "unknown"])
def test_it_refuses_a_move_outside_the_state_machine(work, opening, to_status):
    placement = services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna)
    with pytest.raises(ValidationError) as error:
        _move(work, placement, to_status=to_status, on=TODAY, internship_start=TODAY, internship_end=TODAY,
              hiring_contract="permanent")  # fmt: skip
    assert "to_status" in error.value.message_dict
    placement.refresh_from_db()
    assert placement.status == "proposed"
    assert placement.transitions.count() == 1


def test_it_refuses_an_internship_ending_before_it_starts_and_saves_nothing(work, opening):
    placement = services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna)
    _move(work, placement, to_status="interview", on=TODAY)
    with pytest.raises(ValidationError) as error:
        _move(work, placement, to_status="internship", on=TODAY, internship_start=TODAY,
              internship_end=TODAY - timedelta(days=1))  # fmt: skip
    assert set(error.value.message_dict) == {"internship_end"}
    placement.refresh_from_db()
    assert placement.status == "interview"
    assert placement.internship_start is None
    assert PlacementTransition.objects.filter(placement=placement).count() == 2


@pytest.mark.parametrize(
    ("step", "key"),
    [
        ({"grant_amount": Decimal("50000")}, "grant_amount"),
        ({"grant_amount": Decimal("400")}, "grant_months"),
        ({"internship_end": None}, "internship_end"),
    ],
)
def test_it_refuses_an_implausible_grant(work, opening, step, key):
    placement = services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna)
    _move(work, placement, to_status="interview", on=TODAY)
    values = {"internship_start": TODAY, "internship_end": TODAY + timedelta(days=90), **step}
    with pytest.raises(ValidationError) as error:
        _move(work, placement, to_status="internship", on=TODAY, **values)
    assert key in error.value.message_dict
    placement.refresh_from_db()
    assert placement.status == "interview"


def test_it_refuses_a_funding_source_of_another_programme(work, opening, other_programme):
    foreign = FundingSource.objects.create(
        programme=other_programme, kind=FundingSource.Kind.GRANT, name="Altro", amount=Decimal(1)
    )
    placement = services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna)
    _move(work, placement, to_status="interview", on=TODAY)
    with pytest.raises(ValidationError) as error:
        _move(work, placement, to_status="hired", on=TODAY, hiring_contract="permanent", incentive_source=foreign)
    assert "incentive_source" in error.value.message_dict


def test_it_marks_an_internship_stopped_early_as_interrupted(work, opening):
    placement = services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna)
    _move(work, placement, to_status="interview", on=TODAY - timedelta(days=30))
    _move(work, placement, to_status="internship", on=TODAY - timedelta(days=20),
          internship_start=TODAY - timedelta(days=20), internship_end=TODAY + timedelta(days=60))  # fmt: skip
    placement = _move(work, placement, to_status="not_selected", on=TODAY, reason="Trasferimento")
    assert placement.internship_interrupted
    assert placement.internship_end == TODAY


def test_it_refuses_a_stale_version(work, opening):
    placement = services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna)
    version = placement.version
    _move(work, placement, to_status="interview", on=TODAY)
    with pytest.raises(StaleVersionError):
        services.placement_move(
            actor=work.owner, placement=placement, expected_version=version,
            step=Step(to_status="not_selected", on=TODAY),
        )  # fmt: skip


def test_it_lets_only_who_sees_the_case_propose_and_move(work, opening):
    for outsider in (work.colleague, work.stranger, work.company_user, work.evaluator):
        with pytest.raises(PermissionDenied):
            services.placement_propose(actor=outsider, opening=opening, seeker=work.anna)
    placement = services.placement_propose(actor=work.coordinator, opening=opening, seeker=work.anna)
    with pytest.raises(PermissionDenied):
        services.placement_move(
            actor=work.company_user, placement=placement, expected_version=placement.version,
            step=Step(to_status="interview", on=TODAY),
        )  # fmt: skip


def test_it_refuses_proposing_twice_or_for_an_opening_not_open(work, opening):
    services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna)
    with pytest.raises(ValidationError):
        services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna)
    services.opening_close(actor=work.owner, opening=opening)
    opening.refresh_from_db()
    with pytest.raises(ValidationError):
        services.placement_propose(actor=work.owner, opening=opening, seeker=work.omar)
    assert Placement.objects.count() == 1


def test_it_refuses_a_profile_for_someone_outside_the_household(work, programme):
    from trama.casework.tests.factories import PersonFactory

    stranger = PersonFactory(programme=programme)
    with pytest.raises(ValidationError) as error:
        services.seeker_create(actor=work.owner, case=work.case, person=stranger, fields={})
    assert "person" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.seeker_create(actor=work.colleague, case=work.case, person=work.anna.person, fields={})


def test_it_records_a_training_course_as_a_pathway_of_the_case(work):
    link = services.pathway_record(
        actor=work.owner, seeker=work.anna, kind="training", title="Corso carrellisti", organisation=work.partner,
        start_date=TODAY - timedelta(days=10), end_date=TODAY - timedelta(days=2), skill="forklift",
    )  # fmt: skip
    assert link.pathway.cases.get() == work.case
    assert link.pathway.kind == "job_orientation"
    assert link.pathway.status == "completed"


def _hire(work, seeker, opening, *, hired_on, internship=None):
    placement = services.placement_propose(actor=None, opening=opening, seeker=seeker, on=hired_on - timedelta(days=90))
    services.placement_move(actor=None, placement=placement, expected_version=placement.version,
                            step=Step(to_status="interview", on=hired_on - timedelta(days=80)))  # fmt: skip
    if internship:
        placement.refresh_from_db()
        services.placement_move(actor=None, placement=placement, expected_version=placement.version,
                                step=Step(to_status="internship", on=internship[0], internship_start=internship[0],
                                          internship_end=internship[1]))  # fmt: skip
    placement.refresh_from_db()
    return services.placement_move(actor=None, placement=placement, expected_version=placement.version,
                                   step=Step(to_status="hired", on=hired_on, hiring_contract="fixed_term"))  # fmt: skip


def test_it_computes_the_outcome_indicators(work, opening):
    year = Period(date(2025, 1, 1), date(2025, 12, 31))
    other = make_opening(work.programme, work.other_company, work.bassa.calcinato, positions=2)
    # Anna entered the plan on 10 January 2025: hired on 1 June after an internship → within 6 months.
    _hire(work, work.anna, opening, hired_on=date(2025, 6, 1), internship=(date(2025, 3, 1), date(2025, 5, 31)))
    # Omar: hired on 1 October 2025, more than 6 months after 10 January.
    _hire(work, work.omar, other, hired_on=date(2025, 10, 1))
    programme = Programme.objects.get(pk=work.programme.pk)
    assert get("work-people-placed").compute(programme, year, Filters()) == 2
    assert get("work-internships-started").compute(programme, year, Filters()) == 1
    assert get("work-internships-completed").compute(programme, year, Filters()) == 1
    assert get("work-hired-within-6-months").compute(programme, year, Filters()) == 1
    assert get("work-people-placed").compute(programme, year, Filters(municipality=work.bassa.calcinato)) == 1
    assert get("work-people-placed").compute(programme, Period(date(2024, 1, 1), date(2024, 12, 31)), Filters()) == 0
    rows = get("work-people-placed").breakdown(programme, year, "municipality", Filters())
    assert {(row.label, row.value) for row in rows} == {("Montichiari", 1), ("Calcinato", 1)}
    assert get("work-people-placed").records(programme, year, Filters(), work.colleague).count() == 0
    assert get("work-people-placed").records(programme, year, Filters(), work.owner).count() == 2
