from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.selectors.cases import home_panel
from trama.casework.selectors.delivery import operator_home_context
from trama.core.concurrency import StaleVersionError
from trama.territory import services
from trama.territory.forms import ActionLineForm, ProgrammeForm
from trama.territory.models import ActionLine, Municipality
from trama.territory.selectors import (
    municipality_search,
    programme_action_lines,
    programme_partners_by_role,
    programme_territory,
)


@programme_view()
def programme_home(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The home page of every role: the programme's facts, and what this role can do next."""
    programme = access.programme
    delivery = {}
    if access.has_role(Role.OPERATOR, Role.LAB_MANAGER):
        delivery = {"show_delivery": True, **operator_home_context(request.user, programme)}
    if access.has_role(Role.OPERATOR, Role.COORDINATOR):
        from trama.pacts.selectors import due_reviews

        delivery.update({"show_pact_reviews": True, "due_reviews": list(due_reviews(request.user, programme)[:10])})
    return render(
        request,
        "territory/programme_home.html",
        {
            "access": access,
            "programme": programme,
            "territory": programme_territory(programme),
            "action_lines": programme_action_lines(programme),
            "partners_by_role": programme_partners_by_role(programme),
            "targets": programme.targets.order_by("indicator_code", "date"),
            **home_panel(request.user, programme, access.roles),
            **delivery,
        },
    )


@programme_view(Role.COORDINATOR)
def programme_edit(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    programme = access.programme
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                actor=request.user,
                programme=programme,
                expected_version=form.cleaned_data["version"],
                fields=form.changed_values(),
            )
        except StaleVersionError:
            messages.error(
                request,
                _(
                    "Someone else saved this programme while you were editing it. "
                    "Their version is shown below: re-apply your changes and save again."
                ),
            )
            return redirect("territory:programme-edit", slug=programme.slug)
        messages.success(request, _("The programme has been saved."))
        return redirect("territory:programme-home", slug=programme.slug)
    return render(request, "territory/programme_form.html", {"access": access, "form": form})


@programme_view(Role.COORDINATOR)
def territory_edit(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    programme = access.programme
    query = request.GET.get("q", "")
    context = {
        "access": access,
        "territory": programme_territory(programme),
        "query": query,
        "results": municipality_search(query, exclude_programme=programme),
    }
    if request.htmx and request.htmx.target == "municipality-results":
        return render(request, "territory/_municipality_results.html", context)
    return render(request, "territory/territory_edit.html", context)


def _municipality(istat_code: str) -> Municipality:
    municipality = Municipality.objects.filter(istat_code=istat_code).first()
    if municipality is None:
        raise Http404
    return municipality


@require_POST
@programme_view(Role.COORDINATOR)
def territory_add(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    municipality = _municipality(request.POST.get("istat_code", ""))
    services.programme_set_municipalities(actor=request.user, programme=access.programme, add=[municipality])
    messages.success(request, _("%(name)s added to the territory.") % {"name": municipality.name})
    return redirect("territory:territory-edit", slug=access.programme.slug)


@programme_view(Role.COORDINATOR)
def territory_remove(request: HttpRequest, access: ProgrammeAccess, istat_code: str) -> HttpResponse:
    municipality = _municipality(istat_code)
    if request.method == "POST":
        services.programme_set_municipalities(actor=request.user, programme=access.programme, remove=[municipality])
        messages.success(request, _("%(name)s removed from the territory.") % {"name": municipality.name})
        return redirect("territory:territory-edit", slug=access.programme.slug)
    return render(request, "territory/territory_remove.html", {"access": access, "municipality": municipality})


@programme_view(Role.COORDINATOR)
def action_line_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    return render(
        request,
        "territory/action_line_list.html",
        {"access": access, "action_lines": programme_action_lines(access.programme)},
    )


def _action_line(access: ProgrammeAccess, line_id: str) -> ActionLine:
    line = ActionLine.objects.for_programme(access.programme).filter(public_id=line_id).first()
    if line is None:
        raise Http404
    return line


@programme_view(Role.COORDINATOR)
def action_line_edit(request: HttpRequest, access: ProgrammeAccess, line_id: str | None = None) -> HttpResponse:
    line = _action_line(access, line_id) if line_id else None
    form = ActionLineForm(request.POST or None, instance=line, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        services.action_line_save(actor=request.user, programme=access.programme, action_line=line, **form.cleaned_data)
        messages.success(request, _("The action line has been saved."))
        return redirect("territory:action-line-list", slug=access.programme.slug)
    return render(request, "territory/action_line_form.html", {"access": access, "form": form, "line": line})


@programme_view(Role.COORDINATOR)
def action_line_delete(request: HttpRequest, access: ProgrammeAccess, line_id: str) -> HttpResponse:
    line = _action_line(access, line_id)
    if request.method == "POST":
        services.action_line_delete(actor=request.user, action_line=line)
        messages.success(request, _("The action line has been deleted."))
        return redirect("territory:action-line-list", slug=access.programme.slug)
    return render(request, "territory/action_line_delete.html", {"access": access, "line": line})
