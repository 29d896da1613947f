"""Referrals: the consent rule (S5), the coordinator's override, the state machine and who moves
it, the receiving side's minimal and revocable access, nested routes (S2), the queues' query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from trama.accounts.models import AuditEvent, Role
from trama.casework.models import Case, Referral, ReferralTransition
from trama.casework.services import referrals as services
from trama.casework.tests.factories import (
    CaseFactory,
    CaseTeamMemberFactory,
    ConsentFactory,
    HouseholdMemberFactory,
    PersonFactory,
    ReferralFactory,
)
from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory, MembershipFactory
from trama.people.models import Consent, HouseholdMember

pytestmark = pytest.mark.django_db
Status = Referral.Status
TODAY = timezone.localdate()


def url(name: str, **kwargs: object) -> str:
    return reverse(f"casework:{name}", kwargs={"slug": "programma-a", **kwargs})


def sharing(person, organisation, **fields: object) -> Consent:
    return ConsentFactory(person=person, purpose=Consent.Purpose.SHARING, partner=organisation, **fields)


def refer(casework, actor=None, **fields: object) -> Referral:
    fields.setdefault("target_kind", Referral.TargetKind.ORGANISATION)
    if fields["target_kind"] == Referral.TargetKind.ORGANISATION:
        fields.setdefault("target_organisation", casework.other_organisation)
    return services.referral_create(
        actor=actor or casework.owner,
        case=casework.case,
        person=fields.pop("person", casework.person),
        service=fields.pop("service", "Supporto compiti"),
        **fields,
    )


@pytest.fixture
def receiver(casework):
    """An operator of the receiving organisation (the stranger sees no case, but can receive)."""
    return casework.stranger


@pytest.fixture
def receiving_lab(casework):
    return MembershipFactory(
        programme=casework.case.programme, organisation=casework.other_organisation, role=Role.LAB_MANAGER
    ).user


# --- Consent (S5) -----------------------------------------------------------------------------


def test_it_refers_with_the_matching_consent(casework):
    sharing(casework.person, casework.other_organisation)
    referral = refer(casework, reason="Difficoltà scolastiche.")
    assert (referral.status, referral.from_organisation, referral.created_by) == (
        Status.PENDING,
        casework.partner,
        casework.owner,
    )
    assert referral.consent_override == ""
    assert list(referral.transitions.values_list("from_status", "to_status")) == [("", "pending")]
    assert AuditEvent.objects.filter(action="create", target_id=str(referral.public_id)).count() == 1


@pytest.mark.parametrize(
    "consent",
    [
        None,
        {"expires_on": TODAY - timedelta(days=1)},
        {"withdrawn_on": TODAY - timedelta(days=1)},
        {"given_on": TODAY + timedelta(days=3)},
        {"wrong_partner": True},
        {"purpose": Consent.Purpose.PROCESSING},
    ],
    ids=["none", "expired", "withdrawn", "not-yet", "wrong-partner", "other-purpose"],
)
def test_it_refuses_a_referral_without_a_consent_in_force(casework, consent):
    if consent is not None:
        consent = dict(consent)
        partner = casework.partner if consent.pop("wrong_partner", False) else casework.other_organisation
        purpose = consent.pop("purpose", Consent.Purpose.SHARING)
        ConsentFactory(person=casework.person, purpose=purpose, partner=partner, **consent)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        refer(casework)
    assert "has not consented to sharing their data with Altra cooperativa" in str(error.value)
    assert not Referral.objects.exists()
    assert not ReferralTransition.objects.exists()


def test_it_refuses_through_the_form_with_a_clear_message(client, login, casework):
    login(client, casework.owner)
    client.cookies["django_language"] = "en"
    response = client.post(
        url("referral-create", case_id=casework.case.public_id),
        {
            "person": casework.person.pk,
            "target_kind": "organisation",
            "target_organisation": casework.other_organisation.pk,
            "service": "Supporto compiti",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "has not consented" in response.context["form"].errors["person"][0]
    assert "override_reason" not in response.context["form"].fields  # operators cannot override
    assert not Referral.objects.exists()


def test_it_asks_consent_for_the_organisation_that_runs_a_place(casework):
    place = CommunityPlaceFactory(programme=casework.case.programme, managing_organisation=casework.other_organisation)
    with pytest.raises(ValidationError):
        refer(casework, target_kind=Referral.TargetKind.PLACE, target_place=place)
    sharing(casework.person, casework.other_organisation)
    referral = refer(casework, target_kind=Referral.TargetKind.PLACE, target_place=place)
    assert referral.receiving_organisation == casework.other_organisation


def test_it_needs_no_consent_within_the_same_organisation_nor_for_groups_or_external_services(casework):
    own_place = CommunityPlaceFactory(programme=casework.case.programme, managing_organisation=casework.partner)
    group = CitizenGroupFactory(programme=casework.case.programme)
    refer(casework, target_kind=Referral.TargetKind.PLACE, target_place=own_place)
    refer(casework, target_kind=Referral.TargetKind.GROUP, target_group=group)
    refer(casework, target_kind=Referral.TargetKind.EXTERNAL, external_service="Consultorio familiare")
    assert Referral.objects.count() == 3


def test_it_needs_a_guardians_consent_for_a_child_under_14(casework):
    child = PersonFactory(programme=casework.case.programme, birth_date=TODAY.replace(year=TODAY.year - 9))
    HouseholdMember.objects.create(household=casework.household, person=child, relation="child")
    # A consent recorded as the child's own does not count (Consent.clean refuses it; a record
    # that bypassed it must not open the door either).
    sharing(child, casework.other_organisation, given_on=TODAY - timedelta(days=1))
    with pytest.raises(ValidationError):
        refer(casework, person=child)
    sharing(
        child,
        casework.other_organisation,
        given_on=TODAY,
        given_by=Consent.GivenBy.GUARDIAN,
        guardian_name="Madre del minore",
    )
    assert refer(casework, person=child).person == child


def test_it_refers_only_a_member_of_the_household_to_a_target_of_the_programme(casework, other_programme):
    stranger_person = PersonFactory(programme=casework.case.programme)
    with pytest.raises(ValidationError):
        refer(casework, person=stranger_person, target_kind=Referral.TargetKind.EXTERNAL, external_service="X")
    foreign_group = CitizenGroupFactory(programme=other_programme)
    with pytest.raises(ValidationError):
        refer(casework, target_kind=Referral.TargetKind.GROUP, target_group=foreign_group)
    assert not Referral.objects.exists()


def test_it_refuses_a_referral_from_a_closed_case(casework):
    Case.objects.filter(pk=casework.case.pk).update(status=Case.Status.CLOSED, closed_on=TODAY)
    casework.case.refresh_from_db()
    with pytest.raises(ValidationError):
        refer(casework, target_kind=Referral.TargetKind.EXTERNAL, external_service="X")


@pytest.mark.parametrize("persona", ["supervisor", "colleague", "stranger", "lab_manager", "evaluator"])
def test_it_refuses_authors_outside_the_team(casework, persona):
    sharing(casework.person, casework.other_organisation)
    with pytest.raises(PermissionDenied):
        refer(casework, actor=getattr(casework, persona))
    assert not Referral.objects.exists()


def test_it_lets_a_coordinator_override_a_missing_consent_with_a_reason(client, login, casework):
    login(client, casework.coordinator)
    data = {
        "person": casework.person.pk,
        "target_kind": "organisation",
        "target_organisation": casework.other_organisation.pk,
        "service": "Accoglienza urgente",
        "override_reason": "",
    }
    response = client.post(url("referral-create", case_id=casework.case.public_id), data)
    assert response.status_code == 200
    assert not Referral.objects.exists()
    reason = "Minaccia di sfratto imminente, famiglia irraggiungibile per la firma"
    response = client.post(url("referral-create", case_id=casework.case.public_id), {**data, "override_reason": reason})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent_override == reason
    audit = AuditEvent.objects.get(action="create", target_id=str(referral.public_id))
    assert reason in audit.reason
    assert audit.actor == casework.coordinator
    assert audit.role == Role.COORDINATOR


def test_it_refuses_an_override_by_an_operator(casework):
    with pytest.raises(ValidationError) as error:
        refer(casework, override_reason="Urgente")
    assert "override_reason" in error.value.error_dict
    assert not Referral.objects.exists()


# --- The state machine ---------------------------------------------------------------------------

ALL = list(Status)


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", ALL)
def test_it_allows_exactly_the_transitions_of_the_state_machine(casework, receiver, start, target):
    referral = ReferralFactory(
        case=casework.case, person=casework.person, target_organisation=casework.other_organisation, status=start
    )
    actor = casework.owner if target == Status.REVOKED else receiver
    allowed = target in Referral.TRANSITIONS[start]
    if allowed:
        services.referral_transition(actor=actor, referral=referral, to_status=target, reason="motivo")
        referral.refresh_from_db()
        assert referral.status == target
        transition = referral.transitions.get()
        assert (transition.from_status, transition.to_status, transition.by) == (start, target, actor)
        audit = AuditEvent.objects.get(action="update", target_id=str(referral.public_id))
        assert f"{start} → {target}" in audit.reason
    else:
        with pytest.raises(ValidationError):
            services.referral_transition(actor=actor, referral=referral, to_status=target, reason="motivo")
        referral.refresh_from_db()
        assert referral.status == start
        assert not referral.transitions.exists()


def test_it_explains_an_invalid_transition(casework, receiver):
    referral = ReferralFactory(
        case=casework.case, person=casework.person, target_organisation=casework.other_organisation
    )
    services.referral_reject(actor=receiver, referral=referral, reason="Nessun posto")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.referral_complete(actor=receiver, referral=referral)
    assert "A referral that is rejected cannot become completed" in str(error.value)


def test_it_requires_a_reason_to_reject(casework, receiver):
    referral = ReferralFactory(
        case=casework.case, person=casework.person, target_organisation=casework.other_organisation
    )
    with pytest.raises(ValidationError) as error:
        services.referral_reject(actor=receiver, referral=referral, reason="  ")
    assert "reason" in error.value.error_dict
    referral.refresh_from_db()
    assert referral.status == Status.PENDING


@pytest.mark.parametrize(
    ("persona", "to_status", "allowed"),
    [
        ("receiver", Status.ACCEPTED, True),
        ("receiving_lab", Status.ACCEPTED, True),
        ("receiving_lab", Status.REJECTED, True),
        ("owner", Status.ACCEPTED, False),  # the sender does not decide for the receiver
        ("coordinator", Status.ACCEPTED, False),
        ("supervisor", Status.ACCEPTED, False),
        ("colleague", Status.ACCEPTED, False),
        ("owner", Status.REVOKED, True),
        ("coordinator", Status.REVOKED, True),
        ("receiver", Status.REVOKED, False),
        ("receiving_lab", Status.REVOKED, False),
        ("supervisor", Status.REVOKED, False),
        ("colleague", Status.REVOKED, False),
        ("outsider", Status.REVOKED, False),
    ],
)
def test_it_lets_only_the_right_people_move_a_referral(casework, request, persona, to_status, allowed):
    actor = request.getfixturevalue(persona) if persona in ("receiver", "receiving_lab") else getattr(casework, persona)
    referral = ReferralFactory(
        case=casework.case, person=casework.person, target_organisation=casework.other_organisation
    )
    if allowed:
        services.referral_transition(actor=actor, referral=referral, to_status=to_status, reason="r")
    else:
        with pytest.raises(PermissionDenied):
            services.referral_transition(actor=actor, referral=referral, to_status=to_status, reason="r")
    referral.refresh_from_db()
    assert referral.status == (to_status if allowed else Status.PENDING)


def test_it_lets_the_case_team_record_the_answer_of_a_group(casework, receiver):
    group = CitizenGroupFactory(programme=casework.case.programme)
    referral = refer(casework, target_kind=Referral.TargetKind.GROUP, target_group=group)
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=receiver, referral=referral)
    services.referral_accept(actor=casework.owner, referral=referral)
    services.referral_complete(actor=casework.owner, referral=referral)
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED


def test_it_refuses_a_stale_decision(casework, receiver):
    from trama.core.concurrency import StaleVersionError

    referral = ReferralFactory(
        case=casework.case, person=casework.person, target_organisation=casework.other_organisation
    )
    services.referral_accept(actor=receiver, referral=referral, expected_version=1)
    with pytest.raises(StaleVersionError):
        services.referral_revoke(actor=casework.owner, referral=referral, expected_version=1)


# --- The receiving side (S5) ---------------------------------------------------------------------


def _referral_for_receiver(casework, **fields: object) -> Referral:
    return ReferralFactory(
        case=casework.case,
        person=casework.person,
        target_organisation=casework.other_organisation,
        reason="Motivo riservato della segnalazione",
        **fields,
    )


def test_it_shows_the_receiving_side_only_the_minimal_data(client, login, casework, receiver):
    referral = _referral_for_receiver(casework, service="Doposcuola")
    login(client, receiver)
    inbox = client.get(url("referral-inbox"))
    assert [r.pk for r in inbox.context["page"].object_list] == [referral.pk]
    response = client.get(url("referral-received", referral_id=referral.public_id))
    html = response.content.decode()
    assert response.status_code == 200
    assert casework.person.first_name in html
    assert "Doposcuola" in html
    assert casework.partner.name in html
    assert "22–64" in html or "18–21" in html or "65+" in html  # an age band, not a date of birth
    assert casework.person.birth_date.strftime("%Y") not in html
    assert "Motivo riservato" not in html
    assert casework.household.label not in html
    assert AuditEvent.objects.filter(action="read", target_id=str(referral.public_id)).count() == 1
    # The receiving side cannot open the case.
    case_page = reverse("casework:case-detail", kwargs={"slug": "programma-a", "case_id": casework.case.public_id})
    assert client.get(case_page).status_code == 404


@pytest.mark.parametrize("how", ["rejected", "revoked"])
def test_it_removes_the_receiving_sides_access_at_once(client, login, casework, receiver, how):
    referral = _referral_for_receiver(casework)
    login(client, receiver)
    detail = url("referral-received", referral_id=referral.public_id)
    assert client.get(detail).status_code == 200
    if how == "rejected":
        response = client.post(
            url("referral-decide", referral_id=referral.public_id, action="rifiuta"),
            {"version": referral.version, "reason": "Nessun posto libero"},
        )
        assert response.status_code == 302
        assert response["Location"] == url("referral-inbox")
    else:
        services.referral_revoke(actor=casework.owner, referral=referral, reason="La famiglia ha cambiato idea")
    assert client.get(detail).status_code == 404
    assert client.get(url("referral-inbox")).context["page"].paginator.count == 0
    response = client.post(url("referral-decide", referral_id=referral.public_id, action="accetta"), {"version": 99})
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == how


def test_it_accepts_and_completes_through_the_pages(client, login, casework, receiving_lab):
    referral = _referral_for_receiver(casework)
    login(client, receiving_lab)
    assert client.get(url("referral-decide", referral_id=referral.public_id, action="accetta")).status_code == 200
    client.post(url("referral-decide", referral_id=referral.public_id, action="accetta"), {"version": 1})
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    client.post(url("referral-decide", referral_id=referral.public_id, action="completa"), {"version": 2})
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED
    assert client.get(url("referral-received", referral_id=referral.public_id)).status_code == 200
    # Completing twice: a clear message, nothing changes.
    client.cookies["django_language"] = "en"
    response = client.post(
        url("referral-decide", referral_id=referral.public_id, action="completa"), {"version": 3}, follow=True
    )
    assert "cannot become completed" in response.content.decode()
    assert referral.transitions.count() == 2


def test_it_revokes_from_the_case_through_a_confirmation(client, login, casework):
    referral = _referral_for_receiver(casework)
    login(client, casework.owner)
    page = url("referral-revoke", case_id=casework.case.public_id, referral_id=referral.public_id)
    assert client.get(page).status_code == 200
    referral.refresh_from_db()
    assert referral.status == Status.PENDING
    client.post(page, {"version": referral.version, "reason": ""})
    referral.refresh_from_db()
    assert referral.status == Status.REVOKED


# --- Nested routes (S2) --------------------------------------------------------------------------


def test_it_answers_404_for_a_referral_of_another_case(client, login, casework):
    other_case = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
    CaseTeamMemberFactory(case=other_case, user=casework.owner, organisation=casework.partner)
    foreign = ReferralFactory(case=other_case, person=HouseholdMemberFactory(household=other_case.household).person)
    login(client, casework.owner)
    for name in ("referral-detail", "referral-revoke"):
        page = url(name, case_id=casework.case.public_id, referral_id=foreign.public_id)
        assert client.get(page).status_code == 404
        assert client.post(page, {"version": foreign.version}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.PENDING
    assert not foreign.transitions.exists()


def test_it_hides_referrals_from_who_cannot_see_the_case(client, login, casework):
    referral = _referral_for_receiver(casework)
    page = url("referral-detail", case_id=casework.case.public_id, referral_id=referral.public_id)
    for persona in ("colleague", "outsider"):
        login(client, getattr(casework, persona))
        assert client.get(page).status_code == 404
    for persona in ("lab_manager", "evaluator", "funder", "volunteer"):
        login(client, getattr(casework, persona))
        assert client.get(page).status_code == 403


# --- The queues: fixed query counts ----------------------------------------------------------------


def _fill(casework, n: int) -> None:
    for _ in range(n):
        case = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
        CaseTeamMemberFactory(case=case, user=casework.owner, organisation=casework.partner)
        person = HouseholdMemberFactory(household=case.household).person
        place = CommunityPlaceFactory(programme=case.programme, managing_organisation=casework.other_organisation)
        ReferralFactory(
            case=case, person=person, created_by=casework.owner, target_organisation=casework.other_organisation
        )
        ReferralFactory(
            case=case,
            person=person,
            created_by=casework.owner,
            target_kind=Referral.TargetKind.PLACE,
            target_place=place,
            target_organisation=None,
        )


@pytest.mark.parametrize(("persona", "queue"), [("owner", "referral-outbox"), ("stranger", "referral-inbox")])
def test_it_shows_the_queues_in_a_fixed_number_of_queries(
    client, login, casework, django_assert_max_num_queries, persona, queue
):
    login(client, getattr(casework, persona))
    _fill(casework, 1)
    with django_assert_max_num_queries(20) as few:
        response = client.get(url(queue))
    assert response.context["page"].paginator.count == 2
    _fill(casework, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(queue))
    assert response.context["page"].paginator.count == 22


def test_it_lists_my_pending_referrals_only(client, login, casework):
    mine = _referral_for_receiver(casework)
    done = _referral_for_receiver(casework, status=Status.COMPLETED)
    other_case = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
    ReferralFactory(case=other_case, person=HouseholdMemberFactory(household=other_case.household).person)
    login(client, casework.owner)
    assert [r.pk for r in client.get(url("referral-outbox")).context["page"].object_list] == [mine.pk]
    everything = client.get(url("referral-outbox"), {"status": "all"}).context["page"].object_list
    assert {r.pk for r in everything} == {mine.pk, done.pk}
