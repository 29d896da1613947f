"""The public "offer a job" form for companies at /<programme-slug>/lavoro/offerte/nuova/.

What a company sends lands "to be reviewed": nobody is proposed for it until a coordinator
approves it. Rate-limited per connection like the other public forms (trama/core/ratelimit.py).
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from trama.core.forms import add_service_errors
from trama.territory.models import Programme
from trama.work import services
from trama.work.forms import PublicOpeningForm


def _public_programme(slug: str) -> Programme:
    programme = Programme.objects.public().filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


@never_cache  # what a visitor typed is re-shown only to them on an error, and never kept by a cache
@require_http_methods(["GET", "HEAD", "POST"])
def opening_submit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _public_programme(slug)
    form = PublicOpeningForm(request.POST or None, municipalities=programme.municipalities.order_by("name"))
    if request.method == "POST":
        client_ip = get_client_ip_address(request) or "unknown"
        if services.opening_rate_limited(programme=programme, client_ip=client_ip):
            return render(request, "work/public/rate_limited.html", {"programme": programme}, status=429)
        if request.POST.get(PublicOpeningForm.HONEYPOT):
            services.opening_rate_count(programme=programme, client_ip=client_ip)
            return redirect("work-public:thanks", slug=programme.slug)
        if form.is_valid():
            try:
                services.opening_submit_public(programme=programme, fields=form.fields_for_service())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                services.opening_rate_count(programme=programme, client_ip=client_ip)
                return redirect("work-public:thanks", slug=programme.slug)
    return render(request, "work/public/opening_form.html", {"programme": programme, "form": form})


@require_safe
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "work/public/thanks.html", {"programme": _public_programme(slug)})
