"""The certificate of attendance of a Well-Fare Lab course: an A4 PDF (WeasyPrint) with the
person, the course, its modules, the hours attended (frozen when it was issued) and its number."""

from __future__ import annotations

from django.utils import timezone

from trama.core.pdf import render_pdf
from trama.network.models import Partnership
from trama.training.models import Certificate


def certificate_pdf(certificate: Certificate) -> bytes:
    course = certificate.course
    lead = (
        Partnership.objects.filter(programme=certificate.programme, role=Partnership.Role.LEAD)
        .select_related("organisation")
        .first()
    )
    dates = (
        course.activity.occurrences.exclude(status="cancelled")
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    context = {
        "certificate": certificate,
        "course": course,
        "person": certificate.participant.person,
        "participant": certificate.participant,
        "programme": certificate.programme,
        "lead": lead.organisation if lead else None,
        "modules": list(course.modules.order_by("position")),
        "peer_trainers": list(course.trainers.filter(is_peer=True).select_related("user", "organisation")),
        "first_date": dates.first(),
        "last_date": dates.last(),
        "generated_at": timezone.now(),
    }
    return render_pdf("training/pdf/certificate.html", "training/pdf/certificate.css", context)
