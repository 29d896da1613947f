"""Evaluation pages: the dashboard, the drill-down, the targets, the view across programmes, and
the public results. Thin views: the figures come from `selectors`, writes go through `services`."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_POST

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.forms import add_service_errors
from trama.evaluation import figures as stored_figures
from trama.evaluation import permissions, registry, selectors, services
from trama.evaluation.forms import DashboardForm, PeriodForm, TargetForm
from trama.territory.models import Programme, Target

PAGE_SIZE = 50
PUBLIC_CACHE_SECONDS = 15 * 60


def _figures_key(access: ProgrammeAccess, form: DashboardForm, *, exact: bool, may_drill_down: bool) -> str:
    """What the figures' HTML depends on: the programme and the version of its records (bumped by
    every audited write, targets included), the period, filters and breakdown, what the role may see
    (exact figures, links to records), the language and the day (figures that compare with today)."""
    period = form.period()
    parts = [
        str(access.programme.public_id),
        str(stored_figures.versions_of([access.programme]).get(access.programme.pk, 0)),
        period.start.isoformat(),
        period.end.isoformat(),
        form.query_string(),
        str(exact),
        str(may_drill_down),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
    ]
    return "evaluation-dashboard:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


@programme_view(*permissions.DASHBOARD_ROLES)
def dashboard(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The figures are rendered once and kept (TRAMA_DASHBOARD_CACHE_SECONDS) until the programme's
    records change: many evaluators and funders open the same dashboard, and its 39 indicators,
    trend and breakdowns cost tens of milliseconds to compute and as many to render."""
    form = DashboardForm(request.GET, programme=access.programme)
    board = None
    figures = ""
    may_drill_down = permissions.may_drill_down(access)
    if form.is_valid():
        exact = permissions.check_dashboard(request.user, access.programme)
        seconds = settings.TRAMA_DASHBOARD_CACHE_SECONDS
        key = _figures_key(access, form, exact=exact, may_drill_down=may_drill_down)
        figures = cache.get(key, "") if seconds else ""
        if not figures:
            board = selectors.dashboard(
                access.programme, form.period(), form.filters(), exact=exact, dimension=form.cleaned_data["breakdown"]
            )
            figures = render_to_string(
                "evaluation/_dashboard_figures.html",
                {
                    "access": access,
                    "board": board,
                    "network": board.network,
                    "query_string": form.query_string(),
                    "may_drill_down": may_drill_down,
                    "suppression_rule": selectors.SUPPRESSION_RULE,
                },
                request=request,
            )
            if seconds:
                cache.set(key, figures, seconds)
    return render(
        request,
        "evaluation/dashboard.html",
        {
            "access": access,
            "form": form,
            "board": board,
            "figures": figures,
            "network": board.network if board else None,
            "may_set_targets": permissions.may_set_targets(access),
            "is_funder": access.has_role(Role.FUNDER),
        },
    )


@programme_view(Role.COORDINATOR)
def records(request: HttpRequest, access: ProgrammeAccess, code: str) -> HttpResponse:
    """The records behind one figure: coordinators only (the indicator checks again)."""
    try:
        indicator = registry.get(code)
    except KeyError as error:
        raise Http404 from error
    if indicator.records is None:
        raise Http404
    form = DashboardForm(request.GET, programme=access.programme)
    if not form.is_valid():
        return redirect("evaluation:dashboard", slug=access.programme.slug)
    queryset = selectors.drill_down(indicator, access.programme, form.period(), form.filters(), request.user)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluation/records.html",
        {
            "access": access,
            "indicator": indicator,
            "period": form.period(),
            "page": page,
            "rows": [selectors.record_row(record) for record in page.object_list],
            "query_string": query.urlencode(),
            "back_query": query.urlencode(),
        },
    )


@programme_view(Role.COORDINATOR)
def targets(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    programme = access.programme
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.target_set(
                actor=request.user,
                programme=programme,
                indicator_code=data["indicator_code"],
                kind=data["kind"],
                value=data["value"],
                day=data["date"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The value was saved."))
            return redirect("evaluation:targets", slug=programme.slug)
    names = {indicator.code: indicator.name for indicator in registry.all_indicators()}
    rows = [
        (target, names.get(target.indicator_code, target.indicator_code))
        for target in Target.objects.filter(programme=programme).order_by("indicator_code", "kind", "date")
    ]
    return render(request, "evaluation/targets.html", {"access": access, "form": form, "rows": rows})


@require_POST
@programme_view(Role.COORDINATOR)
def target_delete(request: HttpRequest, access: ProgrammeAccess, target_id: str) -> HttpResponse:
    target = get_object_or_404(Target, programme=access.programme, public_id=target_id)
    services.target_delete(actor=request.user, target=target)
    messages.success(request, _("The value was removed."))
    return redirect("evaluation:targets", slug=access.programme.slug)


@programme_view(Role.FUNDER)
def across(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The funder's programmes side by side on the same indicators (small cells suppressed)."""
    programmes = permissions.funded_programmes(request.user)
    if not programmes:
        raise PermissionDenied
    form = PeriodForm(request.GET, programme=access.programme)
    if not request.GET.get("start") and not request.GET.get("end"):
        period = selectors.across_default_period(programmes)
        form = PeriodForm(
            {"start": period.start.isoformat(), "end": period.end.isoformat()}, programme=access.programme
        )
    table = selectors.across(programmes, form.period()) if form.is_valid() else None
    return render(request, "evaluation/across.html", {"access": access, "form": form, "table": table})


@cache_page(PUBLIC_CACHE_SECONDS)
def public_results(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's headline figures, aggregate only, small cells suppressed; cached a quarter
    of an hour (the figures change with the day's records, not by the second)."""
    programme = Programme.objects.public().filter(slug=slug).first()
    if programme is None:
        raise Http404
    results = selectors.public_results(programme)
    return render(
        request,
        "evaluation/public_results.html",
        {"programme": programme, "results": results, "suppression_rule": selectors.SUPPRESSION_RULE},
    )
