"""The public "Voglio aiutare" form at /<programme-slug>/volontari/."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from trama.core.forms import add_service_errors
from trama.mutualaid.forms import VolunteerApplicationForm, slot_formset
from trama.mutualaid.services import volunteers as services
from trama.territory.models import Programme


def _public_programme(slug: str) -> Programme:
    programme = Programme.objects.public().filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


@never_cache  # what a visitor typed is re-shown only to them on an error, and never kept by a cache
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _public_programme(slug)
    data = request.POST if request.method == "POST" else None
    form = VolunteerApplicationForm(data, municipalities=programme.municipalities.order_by("name"))
    slots = slot_formset(data)
    if request.method == "POST":
        client_ip = get_client_ip_address(request) or "unknown"
        if services.volunteer_rate_limited(programme=programme, client_ip=client_ip):
            return render(request, "mutualaid/public/rate_limited.html", {"programme": programme}, status=429)
        if request.POST.get(VolunteerApplicationForm.HONEYPOT):
            # A bot: pretend it worked, store nothing.
            services.volunteer_rate_count(programme=programme, client_ip=client_ip)
            return redirect("mutualaid-public:thanks", slug=programme.slug)
        if form.is_valid() and slots.is_valid():
            try:
                services.volunteer_apply(
                    programme=programme, applicant=form.applicant(), profile=form.profile(), slots=slots.slots()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                services.volunteer_rate_count(programme=programme, client_ip=client_ip)
                return redirect("mutualaid-public:thanks", slug=programme.slug)
    return render(request, "mutualaid/public/apply.html", {"programme": programme, "form": form, "slots": slots})


@require_safe
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "mutualaid/public/thanks.html", {"programme": _public_programme(slug)})
