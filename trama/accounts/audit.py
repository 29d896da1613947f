"""The one way to write an audit row (S10).

Callers write the audit row inside the transaction of the operation they record. If the audit
write fails, the exception propagates and the surrounding transaction rolls back with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.helpers import get_client_ip_address

from trama.accounts.models import AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest

    from trama.accounts.models import Membership, User
    from trama.territory.models import Programme


def audit_record(
    *,
    action: str,
    actor: User | None,
    request: HttpRequest | None = None,
    target: Any = None,
    target_type: str = "",
    programme: Programme | None = None,
    membership: Membership | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    reason: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one audit row. `target` is any model with a `public_id`; never pass personal text."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = str(target.public_id)
    else:
        target_id = ""
    if membership is not None:
        programme = programme or membership.programme
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label[:254],
        programme=programme,
        organisation=membership.organisation if membership is not None else None,
        role=membership.role if membership is not None else "",
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        reason=reason[:500],
        ip_address=get_client_ip_address(request) if request is not None else None,
    )
