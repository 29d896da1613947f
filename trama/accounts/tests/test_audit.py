from __future__ import annotations

import pytest
from django.urls import reverse

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_never_changes_or_deletes_an_audit_row(coordinator):
    event = audit_record(action=AuditEvent.Action.READ, actor=coordinator)
    event.reason = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_it_shows_the_coordinator_the_log_of_their_programme_only(
    client, coordinator, programme, other_programme, login
):
    audit_record(action=AuditEvent.Action.EXPORT, actor=coordinator, programme=programme, reason="mine")
    audit_record(action=AuditEvent.Action.EXPORT, actor=coordinator, programme=other_programme, reason="theirs")
    login(client, coordinator)
    response = client.get(reverse("accounts:audit-log", kwargs={"slug": programme.slug}), {"action": "export"})
    reasons = [event.reason for event in response.context["page"]]
    assert reasons == ["mine"]


def test_it_pages_the_log_with_a_fixed_number_of_queries(
    client, coordinator, programme, login, django_assert_max_num_queries
):
    audit_record(action=AuditEvent.Action.READ, actor=coordinator, programme=programme)
    login(client, coordinator)
    url = reverse("accounts:audit-log", kwargs={"slug": programme.slug})
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(30):
        audit_record(action=AuditEvent.Action.READ, actor=coordinator, programme=programme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
