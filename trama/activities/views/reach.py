"""The reach page: how many people the programme's activities reached in a period."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.activities import reach
from trama.activities.forms_reach import ReachForm
from trama.jobs.services import job_start


@programme_view(Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER, Role.LAB_MANAGER)
def reach_page(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = ReachForm(request.GET, programme=access.programme)
    figures = reach.reach_for_user(request.user, access.programme, form.reach_query()) if form.is_valid() else None
    breakdown = form.cleaned_data.get("breakdown", "") if figures else ""
    return render(
        request,
        "activities/reach.html",
        {
            "access": access,
            "form": form,
            "figures": figures,
            "breakdown_label": reach.Breakdown(breakdown).label if breakdown else "",
            "breakdown_rule": reach.BREAKDOWN_RULES.get(breakdown, ""),
            # A lab manager sees the figures of the activities they run, and is told so.
            "only_own": not access.has_role(Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER),
            "rules": {
                "combined": reach.COMBINED_RULE,
                "people": reach.PEOPLE_RULE,
                "minors": reach.MINORS_RULE,
                "households": reach.HOUSEHOLDS_RULE,
                "anonymous": reach.ANONYMOUS_RULE,
                "suppression": reach.SUPPRESSION_RULE,
            },
        },
    )


@require_POST
@programme_view(Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER, Role.LAB_MANAGER)
def reach_report(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The reach figures of the chosen period, every breakdown, as a workbook: a background job."""
    form = ReachForm(request.POST, programme=access.programme)
    if not form.is_valid():
        messages.error(request, _("Check the period and the filters, then ask for the report again."))
        return redirect("activities:reach", slug=access.programme.slug)
    data = form.cleaned_data
    params = {
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
        "action_line": str(data["action_line"].public_id) if data["action_line"] else "",
        "place": str(data["place"].public_id) if data["place"] else "",
        "kind": data["kind"],
    }
    job = job_start(actor=request.user, programme=access.programme, kind="reach-report", params=params)
    return redirect(job.get_absolute_url())
