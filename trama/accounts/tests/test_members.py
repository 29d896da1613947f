from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.accounts.services import membership_revoke
from trama.core.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _url(name: str, programme, **kwargs) -> str:
    return reverse(name, kwargs={"slug": programme.slug, **kwargs})


def test_it_invites_a_new_person_with_a_link_to_choose_a_password(
    client, coordinator, programme, lead, login, django_capture_on_commit_callbacks
):
    login(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("accounts:member-add", programme),
            {
                "email": "Nuova.Tutor@Example.org",
                "full_name": "Nuova Tutor",
                "organisation": lead.public_id,
                "role": "operator",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nuova.tutor@example.org")
    assert Membership.objects.get(user=user).role == Role.OPERATOR
    assert len(mail.outbox) == 1
    assert "/account/password/imposta/" in mail.outbox[0].body
    assert str(user.pk.int) not in mail.outbox[0].body
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.ROLE_GRANTED, target_id=str(Membership.objects.get(user=user).public_id)
    )
    assert event.actor == coordinator


def test_it_asks_for_the_name_of_a_person_without_an_account(client, coordinator, programme, lead, login):
    login(client, coordinator)
    response = client.post(
        _url("accounts:member-add", programme),
        {"email": "x@example.org", "organisation": lead.public_id, "role": "operator"},
    )
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors


def test_it_refuses_an_organisation_outside_the_programme(client, coordinator, programme, login):
    from trama.core.tests.factories import OrganisationFactory

    outsider = OrganisationFactory(name="Estranea")
    login(client, coordinator)
    response = client.post(
        _url("accounts:member-add", programme),
        {"email": "x@example.org", "full_name": "X", "organisation": outsider.public_id, "role": "operator"},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors


def test_it_changes_a_role_and_records_it(client, coordinator, programme, member, login):
    membership = Membership.objects.get(user=member(Role.VOLUNTEER))
    login(client, coordinator)
    client.post(_url("accounts:member-edit", programme, member_id=membership.public_id), {"role": "lab_manager"})
    membership.refresh_from_db()
    assert membership.role == Role.LAB_MANAGER
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert "volunteer->lab_manager" in event.reason


def test_it_removes_a_role_after_confirmation_and_access_ends(client, coordinator, programme, member, login):
    volunteer = member(Role.VOLUNTEER)
    membership = Membership.objects.get(user=volunteer)
    login(client, coordinator)
    assert client.get(_url("accounts:member-revoke", programme, member_id=membership.public_id)).status_code == 200
    membership.refresh_from_db()
    assert membership.is_active
    client.post(_url("accounts:member-revoke", programme, member_id=membership.public_id))
    membership.refresh_from_db()
    assert not membership.is_active
    other = client.__class__()
    login(other, volunteer)
    assert other.get(_url("territory:programme-home", programme)).status_code == 404


def test_it_does_not_let_a_coordinator_remove_their_own_role(coordinator, programme):
    with pytest.raises(PermissionDenied):
        membership_revoke(actor=coordinator, membership=Membership.objects.get(user=coordinator))


def test_it_keeps_members_pages_to_coordinators(client, programme, member, login):
    for role in (Role.OPERATOR, Role.LAB_MANAGER, Role.VOLUNTEER, Role.EVALUATOR, Role.FUNDER):
        user = member(role)
        login(client, user)
        assert client.get(_url("accounts:member-list", programme)).status_code == 403
        assert client.get(_url("accounts:audit-log", programme)).status_code == 403


def test_it_answers_404_for_a_membership_of_another_programme(client, coordinator, programme, other_programme, login):
    foreign = MembershipFactory(programme=other_programme, role=Role.OPERATOR)
    login(client, coordinator)
    response = client.post(_url("accounts:member-revoke", programme, member_id=foreign.public_id))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


def test_it_lists_members_with_a_fixed_number_of_queries(
    client, coordinator, programme, member, login, django_assert_max_num_queries
):
    login(client, coordinator)
    url = _url("accounts:member-list", programme)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(15):
        member(Role.VOLUNTEER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 16


def test_it_filters_members_by_role_and_name(client, coordinator, programme, member, login):
    member(Role.VOLUNTEER)
    login(client, coordinator)
    response = client.get(_url("accounts:member-list", programme), {"role": "volunteer"})
    assert response.context["page"].paginator.count == 1
    response = client.get(_url("accounts:member-list", programme), {"q": coordinator.email})
    assert [m.user for m in response.context["page"]] == [coordinator]
