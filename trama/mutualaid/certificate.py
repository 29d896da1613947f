"""The volunteer's certificate of hours: an A4 PDF (WeasyPrint) listing the attended shifts and the
confirmed hours of a year, with the total. Pending and unconfirmed hours never appear on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User
from trama.core.pdf import render_pdf
from trama.mutualaid.models import HourLog, Volunteer
from trama.mutualaid.selectors.volunteers import as_hours, attended_signups, volunteer_hours


@dataclass(frozen=True)
class Line:
    day: date
    what: str
    where: str
    hours: Decimal


@dataclass(frozen=True)
class Certificate:
    volunteer: Volunteer
    year: int
    lines: list[Line]
    total: Decimal
    generated_at: datetime


def certificate_for(volunteer: Volunteer, year: int) -> Certificate:
    start, end = date(year, 1, 1), date(year, 12, 31)
    lines = [
        Line(
            day=timezone.localdate(signup.shift.occurrence.starts_at),
            what=f"{signup.shift.task} — {signup.shift.occurrence.activity.title}",
            where=signup.shift.occurrence.activity.place.name if signup.shift.occurrence.activity.place else "",
            hours=as_hours(signup.duration),
        )
        for signup in attended_signups(volunteer, start, end)
    ]
    logs = HourLog.objects.filter(
        volunteer=volunteer, status=HourLog.Status.CONFIRMED, date__gte=start, date__lte=end
    ).order_by("date", "pk")
    lines += [Line(day=log.date, what=log.description, where="", hours=log.hours) for log in logs]
    lines.sort(key=lambda line: line.day)
    return Certificate(
        volunteer=volunteer, year=year, lines=lines, total=volunteer_hours(volunteer, start, end).total,
        generated_at=timezone.now(),
    )  # fmt: skip


def certificate_pdf(certificate: Certificate) -> bytes:
    volunteer = certificate.volunteer
    context = {
        "certificate": certificate,
        "volunteer": volunteer,
        "person": volunteer.person,
        "programme": volunteer.programme,
    }
    return render_pdf("mutualaid/pdf/certificate.html", "mutualaid/pdf/certificate.css", context)


def certificate_export(*, actor: User, volunteer: Volunteer, year: int, request: HttpRequest | None = None) -> bytes:
    """The volunteer's own certificate. The file is made before the audit row, so a slow render
    never holds the write transaction, and no file leaves if the audit write fails."""
    if volunteer.user_id != actor.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    pdf = certificate_pdf(certificate_for(volunteer, year))
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.EXPORT, actor=actor, request=request, programme=volunteer.programme,
            target=volunteer, reason=f"certificate of hours {year} (PDF)",
        )  # fmt: skip
    return pdf
