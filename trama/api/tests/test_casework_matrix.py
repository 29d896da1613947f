"""The access matrix of people and casework: the API answers every role as the pages do (S1).

The world's operator is on the team of the case; the world's lab manager works for the organisation
the referral is sent to, so the receiving side is compared too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import Role
from trama.api.tests.matrix import Row, make_world, mismatches
from trama.casework.services import pathways as pathway_services
from trama.casework.services import referrals as referral_services
from trama.casework.tests.factories import (
    AssessmentFactory,
    CaseFactory,
    CaseTeamMemberFactory,
    ConsentFactory,
    HouseholdMemberFactory,
)
from trama.core.tests.factories import OrganisationFactory, PartnershipFactory
from trama.people.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The per-token request count lives in the cache, keyed by the token's row id, which the
    database hands out again after each test's rollback: start every test from zero."""
    cache.clear()


ROME = ZoneInfo("Europe/Rome")


def api_url(world, *parts: object) -> str:
    return f"/api/v1/programmes/{world.programme.slug}/" + "".join(f"{part}/" for part in parts)


def page(name: str, world, **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": world.programme.slug, **kwargs})


def case_world(world) -> SimpleNamespace:
    """A case of the lead organisation whose team is the world's operator; a pathway with a session;
    an assessment; a referral (with consent) to a partner whose lab manager is the world's. Built
    once per world and shared by the rows."""
    if hasattr(world, "casework"):
        return world.casework
    operator = world.users[Role.OPERATOR]
    case = CaseFactory(programme=world.programme, organisation=world.lead)
    CaseTeamMemberFactory(case=case, user=operator, organisation=world.lead)
    person = HouseholdMemberFactory(household=case.household).person
    pathway = pathway_services.pathway_create(
        actor=None, case=case, kind="parenting", title="Genitori", organisation=world.lead, start_date=date(2024, 2, 1)
    )
    session = pathway_services.session_create(
        actor=None, pathway=pathway, starts_at=datetime(2024, 3, 5, 15, tzinfo=ROME), duration_minutes=60,
        modality="in_person", attendees=[person], recorded_by=operator,
    )  # fmt: skip
    receiver = OrganisationFactory(name="Ente che riceve")
    PartnershipFactory(programme=world.programme, organisation=receiver)
    world.users[Role.LAB_MANAGER].memberships.filter(programme=world.programme).update(organisation=receiver)
    ConsentFactory(
        person=person, purpose=Consent.Purpose.SHARING, partner=receiver,
        given_on=timezone.localdate() - timedelta(days=3),
    )  # fmt: skip
    referral = referral_services.referral_create(
        actor=None, case=case, person=person, target_kind="organisation", target_organisation=receiver,
        service="Doposcuola", created_by=operator,
    )  # fmt: skip
    world.casework = SimpleNamespace(
        case=case,
        person=person,
        household=case.household,
        pathway=pathway,
        session=session,
        assessment=AssessmentFactory(case=case, assessed_by=operator),
        referral=referral,
    )
    return world.casework


ROWS = [
    Row(
        "people",
        case_world,
        lambda w, r: api_url(w, "people"),
        lambda w, r: page("people:person-search", w),
    ),
    Row(
        "person",
        case_world,
        lambda w, r: api_url(w, "people", r.person.public_id),
        lambda w, r: page("people:person-detail", w, person_id=r.person.public_id),
    ),
    Row(
        "consents of a person",
        case_world,
        lambda w, r: api_url(w, "people", r.person.public_id, "consents"),
        lambda w, r: page("people:person-detail", w, person_id=r.person.public_id),
    ),
    Row(
        "household",
        case_world,
        lambda w, r: api_url(w, "households", r.household.public_id),
        lambda w, r: page("people:household-detail", w, household_id=r.household.public_id),
    ),
    Row(
        "cases",
        case_world,
        lambda w, r: api_url(w, "cases"),
        lambda w, r: page("casework:case-list", w),
    ),
    Row(
        "case",
        case_world,
        lambda w, r: api_url(w, "cases", r.case.public_id),
        lambda w, r: page("casework:case-detail", w, case_id=r.case.public_id),
    ),
    Row(
        "assessment",
        case_world,
        lambda w, r: api_url(w, "cases", r.case.public_id, "assessments", r.assessment.public_id),
        lambda w, r: page(
            "casework:assessment-detail", w, case_id=r.case.public_id, assessment_id=r.assessment.public_id
        ),
    ),
    Row(
        "pathways",
        case_world,
        lambda w, r: api_url(w, "pathways"),
        lambda w, r: page("casework:pathway-list", w),
    ),
    Row(
        "pathway",
        case_world,
        lambda w, r: api_url(w, "pathways", r.pathway.public_id),
        lambda w, r: page("casework:pathway-detail", w, pathway_id=r.pathway.public_id),
    ),
    Row(
        "session",
        case_world,
        lambda w, r: api_url(w, "pathways", r.pathway.public_id, "sessions", r.session.public_id),
        lambda w, r: page("casework:session-detail", w, pathway_id=r.pathway.public_id, session_id=r.session.public_id),
    ),
    Row(
        "referral of a case",
        case_world,
        lambda w, r: api_url(w, "cases", r.case.public_id, "referrals", r.referral.public_id),
        lambda w, r: page("casework:referral-detail", w, case_id=r.case.public_id, referral_id=r.referral.public_id),
    ),
    Row(
        "referrals sent",
        case_world,
        lambda w, r: api_url(w, "referrals", "sent"),
        lambda w, r: page("casework:referral-outbox", w),
    ),
    Row(
        "referrals received",
        case_world,
        lambda w, r: api_url(w, "referrals", "received"),
        lambda w, r: page("casework:referral-inbox", w),
    ),
    Row(
        "referral received",
        case_world,
        lambda w, r: api_url(w, "referrals", "received", r.referral.public_id),
        lambda w, r: page("casework:referral-received", w, referral_id=r.referral.public_id),
    ),
]


def test_it_answers_every_role_as_the_pages_do(programme, other_programme, lead, member, login, api):
    world = make_world(programme, other_programme, lead, member)
    assert mismatches(ROWS, world, login=login, api_client=api) == []
