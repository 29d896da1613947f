"""Writes about people who sign in and what they may do. Each is atomic and audited.

`actor=None` means the system itself (the demo loader, a management command); views and the API
always pass the signed-in user, whose right to act is checked here, not only in the view.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import login
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from trama.accounts.audit import audit_record
from trama.accounts.middleware import mark_session_start
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.accounts.permissions import acting_coordinator
from trama.network.models import Organisation
from trama.territory.models import Programme


def user_create(*, email: str, full_name: str, password: str | None = None) -> User:
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        audit_record(action=AuditEvent.Action.CREATE, actor=None, target=user)
    return user


def user_set_active(*, actor: User | None, user: User, is_active: bool) -> User:
    """Deactivating a user ends their sessions on their next request (S16): the authentication
    backend refuses inactive users when it reloads them from the session."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active != is_active:
            user.is_active = is_active
            user.save(update_fields=["is_active"])
            audit_record(action=AuditEvent.Action.UPDATE, actor=actor, target=user, reason=f"is_active={is_active}")
    return user


def membership_grant(
    *,
    actor: User | None,
    user: User,
    programme: Programme,
    organisation: Organisation,
    role: str,
    is_supervisor: bool = False,
) -> Membership:
    """Give `user` a role in `programme` for `organisation` (or reactivate it). Idempotent."""
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user,
            programme=programme,
            organisation=organisation,
            role=role,
            defaults={"is_supervisor": is_supervisor},
        )
        changed = created
        if not created and (not membership.is_active or membership.is_supervisor != is_supervisor):
            membership.is_active = True
            membership.is_supervisor = is_supervisor
            membership.save(update_fields=["is_active", "is_supervisor", "updated_at"])
            changed = True
        if changed:
            audit_record(
                action=AuditEvent.Action.ROLE_GRANTED,
                actor=actor,
                membership=acting,
                programme=programme,
                target=membership,
                reason=f"role={role}",
            )
    return membership


def membership_change_role(*, actor: User | None, membership: Membership, role: str, is_supervisor: bool) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        acting = acting_coordinator(actor, membership.programme)
        if role not in Role.values:
            raise ValueError(role)
        if membership.role == role and membership.is_supervisor == is_supervisor:
            return membership
        old = membership.role
        membership.role = role
        membership.is_supervisor = is_supervisor
        membership.save(update_fields=["role", "is_supervisor", "updated_at"])
        audit_record(
            action=AuditEvent.Action.ROLE_CHANGED,
            actor=actor,
            membership=acting,
            programme=membership.programme,
            target=membership,
            reason=f"role={old}->{role}; supervisor={is_supervisor}",
        )
    return membership


def membership_revoke(*, actor: User | None, membership: Membership) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        acting = acting_coordinator(actor, membership.programme)
        if acting is not None and acting.pk == membership.pk:
            # A programme must not lose its last way of being administered by a slip of the mouse.
            raise PermissionDenied
        if membership.is_active:
            membership.is_active = False
            membership.save(update_fields=["is_active", "updated_at"])
            audit_record(
                action=AuditEvent.Action.ROLE_REVOKED,
                actor=actor,
                membership=acting,
                programme=membership.programme,
                target=membership,
                reason=f"role={membership.role}",
            )
    return membership


def session_login(*, request: HttpRequest, user: User) -> None:
    """Open a session after a correct password, with its audit row in the same transaction."""
    with transaction.atomic():
        login(request, user)
        mark_session_start(request)
        audit_record(action=AuditEvent.Action.LOGIN, actor=user, request=request, target=user)


def session_login_failed(*, request: HttpRequest, identifier: str, locked_out: bool) -> None:
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.LOGIN_FAILED,
            actor=None,
            actor_label=identifier,
            request=request,
            outcome=AuditEvent.Outcome.DENIED if locked_out else AuditEvent.Outcome.FAILURE,
            reason="locked out" if locked_out else "wrong credentials",
        )


def membership_invite(
    *,
    actor: User,
    request: HttpRequest,
    programme: Programme,
    email: str,
    full_name: str,
    organisation: Organisation,
    role: str,
    is_supervisor: bool = False,
) -> Membership:
    """Grant a role to the account with `email`, creating it if needed.

    A new account gets a random password nobody knows and, once the transaction has committed,
    an e-mail with a one-time link to choose their own (Django's password-reset machinery).
    """
    with transaction.atomic():
        acting_coordinator(actor, programme)
        user = User.objects.filter(email=email).first()
        created = user is None
        if created:
            user = user_create(email=email, full_name=full_name, password=secrets.token_urlsafe(32))
        membership = membership_grant(
            actor=actor,
            user=user,
            programme=programme,
            organisation=organisation,
            role=role,
            is_supervisor=is_supervisor,
        )
        if created:
            transaction.on_commit(lambda: _send_invitation(request=request, email=email))
    return membership


def _send_invitation(*, request: HttpRequest, email: str) -> None:
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name="accounts/email/invitation_subject.txt",
            email_template_name="accounts/email/invitation.txt",
        )
