"""The pages where a person creates, lists and revokes their own API tokens (/account/api/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trama.api import services
from trama.api.forms import TokenCreateForm
from trama.api.models import ApiToken


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).select_related("user")
    return render(request, "api/token_list.html", {"tokens": tokens})


@login_required
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        token, secret = services.token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            valid_days=form.cleaned_data["valid_days"],
            request=request,
        )
        # Rendered, not redirected: the secret exists only in this response, never in a session.
        return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, public_id=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    if request.method == "POST":
        services.token_revoke(actor=request.user, token=token, request=request)
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("api-tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
