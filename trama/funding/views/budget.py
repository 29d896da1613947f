"""The budget's staff pages: the overview by source and by action line, settings, sources, lines
with their expenses, the expense list, expenses, payments, cancellations and reallocations.

Thin views: programme gate → access function → form → service → redirect with a message.
Coordinators manage; evaluators and funders read the aggregates.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.funding import permissions
from trama.funding.forms import (
    BudgetSettingsForm,
    CancelForm,
    ExpenseForm,
    LineForm,
    PaidForm,
    ReallocationForm,
    SourceForm,
)
from trama.funding.models import Budget, Expense, FundingSource
from trama.funding.selectors import budget as selectors
from trama.funding.services import budget as services

PAGE_SIZE = 25
MANAGERS = (Role.COORDINATOR,)
READERS = (Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER)


def _stale(request: HttpRequest) -> None:
    messages.error(request, _("Someone else changed this record in the meantime: the form shows it as it is now."))


def _overview_url(access: ProgrammeAccess) -> str:
    return reverse("funding:budget", kwargs={"slug": access.programme.slug})


def form_page(
    request: HttpRequest, access: ProgrammeAccess, form: Any, *, title: str, submit: str, back_url: str,
    intro: str = "", form_id: str = "funding-form",
) -> HttpResponse:  # fmt: skip
    """Every form page of the budget and of fundraising: a heading, the form, save and cancel."""
    return render(
        request,
        "funding/form_page.html",
        {"access": access, "form": form, "page_title": title, "submit_label": submit, "back_url": back_url,
         "intro": intro, "form_id": form_id},
    )  # fmt: skip


@programme_view(*READERS)
def budget(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    overview = selectors.budget_overview(request.user, access.programme)
    return render(
        request,
        "funding/budget.html",
        {"access": access, "overview": overview, "can_manage": access.has_role(Role.COORDINATOR)},
    )


@programme_view(*MANAGERS)
def settings_edit(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    current = Budget.objects.filter(programme=access.programme).first()
    form = BudgetSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_settings_save(
                actor=request.user, programme=access.programme,
                expected_version=form.cleaned_data["version"] if current else None,
                required_cofinancing_percent=form.cleaned_data["required_cofinancing_percent"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect("funding:budget-settings", slug=access.programme.slug)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget's settings have been saved."))
            return redirect(_overview_url(access))
    return form_page(
        request,
        access,
        form,
        title=_("Budget settings"),
        submit=_("Save"),
        back_url=_overview_url(access),
        intro=_("The minimum co-financing the call requires, as a percentage of the total budget."),
    )


@programme_view(*MANAGERS)
def source_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    overview = selectors.budget_overview(request.user, access.programme)
    partners_without_source = access.programme.partnerships.filter(cofinancing__isnull=False).exclude(
        organisation__funding_sources__programme=access.programme,
        organisation__funding_sources__kind=FundingSource.Kind.COFINANCING,
    )
    return render(
        request,
        "funding/source_list.html",
        {"access": access, "overview": overview, "missing_cofinancing": partners_without_source.count()},
    )


@programme_view(*MANAGERS)
def source_edit(request: HttpRequest, access: ProgrammeAccess, source_id: str | None = None) -> HttpResponse:
    source = None
    if source_id is not None:
        source = permissions.get_source_for_manager(request.user, access.programme, source_id)
    form = SourceForm(request.POST or None, instance=source, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_save(
                actor=request.user, programme=access.programme, fields=form.changed_fields(), source=source,
                expected_version=form.cleaned_data["version"] or 0,
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The funding source has been saved."))
            return redirect("funding:source-list", slug=access.programme.slug)
    return form_page(
        request,
        access,
        form,
        title=source.name if source else _("New funding source"),
        submit=_("Save"),
        back_url=reverse("funding:source-list", kwargs={"slug": access.programme.slug}),
    )


@programme_view(*MANAGERS)
def cofinancing_sync(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    if request.method != "POST":
        return redirect("funding:source-list", slug=access.programme.slug)
    try:
        touched = services.cofinancing_sync(actor=request.user, programme=access.programme)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        message = _("Co-financing brought in line with the partnership: %(count)d sources.")
        messages.success(request, message % {"count": len(touched)})
    return redirect("funding:source-list", slug=access.programme.slug)


@programme_view(*MANAGERS)
def line_edit(request: HttpRequest, access: ProgrammeAccess, line_id: str | None = None) -> HttpResponse:
    line = None if line_id is None else permissions.get_line_for_user(request.user, access.programme, line_id)
    form = LineForm(request.POST or None, instance=line, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.line_save(
                actor=request.user, programme=access.programme, fields=form.changed_fields(), line=line,
                expected_version=form.cleaned_data["version"] or 0,
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget line has been saved."))
            return redirect(saved.get_absolute_url())
    return form_page(
        request,
        access,
        form,
        title=line.title if line else _("New budget line"),
        submit=_("Save"),
        back_url=line.get_absolute_url() if line else _overview_url(access),
        form_id="line-form",
        intro=_(
            "A line allocates part of a source to an action line. Changing the planned amount moves the current "
            "amount by the same difference."
        ),
    )


@programme_view(*READERS)
def line_detail(request: HttpRequest, access: ProgrammeAccess, line_id: str) -> HttpResponse:
    line = permissions.get_line_for_user(request.user, access.programme, line_id)
    page = Paginator(selectors.line_expenses(line), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/line_detail.html",
        {
            "access": access, "line": line, "figures": selectors.line_figures(line), "page": page, "query_string": "",
            "reallocations": list(selectors.line_reallocations(line)[:20]),
            "can_manage": access.has_role(Role.COORDINATOR),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def expense_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = {
        "query": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", "") if request.GET.get("status", "") in Expense.Status.values else "",
        "source": request.GET.get("source", ""),
    }
    sources = list(FundingSource.objects.for_programme(access.programme).order_by("position", "name"))
    if filters["source"] not in {str(s.public_id) for s in sources}:
        filters["source"] = ""
    expenses = selectors.expense_list(request.user, access.programme, **filters)
    export = list_export(
        request, access, name="spese", title=_("Expenses"), rows=expenses, columns=listcolumns.EXPENSES
    )
    if export is not None:
        return export
    page = Paginator(expenses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/expense_list.html",
        {
            "access": access, "page": page, "filters": filters, "sources": sources, "statuses": Expense.Status.choices,
            "query_string": urlencode({"q": filters["query"], "status": filters["status"],
                                       "source": filters["source"]}),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def expense_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    initial = {}
    line_id = request.GET.get("line", "")
    if line_id:
        initial["line"] = line_id
    form = ExpenseForm(request.POST or None, initial=initial, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            expense = services.expense_record(
                actor=request.user, programme=access.programme, line=data["line"], amount=data["amount"],
                incurred_on=data["incurred_on"], description=data["description"], supplier=data["supplier"],
                reference=data["reference"], paid=data["paid"], paid_on=data["paid_on"],
                cover_from=data["cover_from"], cover_reason=data["cover_reason"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The expense has been recorded."))
            return redirect(expense.line.get_absolute_url())
    return form_page(
        request,
        access,
        form,
        title=_("Record an expense"),
        submit=_("Record the expense"),
        back_url=_overview_url(access),
        form_id="expense-form",
        intro=_(
            "An expense beyond what remains on its line is refused, unless you move the missing amount from "
            "another line of the same source, with a reason."
        ),
    )


@programme_view(*MANAGERS)
def expense_pay(request: HttpRequest, access: ProgrammeAccess, expense_id: str) -> HttpResponse:
    expense = permissions.get_expense_for_manager(request.user, access.programme, expense_id)
    form = PaidForm(request.POST or None, initial={"paid_on": expense.incurred_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.expense_mark_paid(actor=request.user, expense=expense, paid_on=form.cleaned_data["paid_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The expense is marked as paid."))
            return redirect(expense.line.get_absolute_url())
    return render(request, "funding/expense_pay.html", {"access": access, "form": form, "expense": expense})


@programme_view(*MANAGERS)
def expense_cancel(request: HttpRequest, access: ProgrammeAccess, expense_id: str) -> HttpResponse:
    """A confirmation page first: cancelling gives the amount back to the line."""
    expense = permissions.get_expense_for_manager(request.user, access.programme, expense_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expense_cancel(actor=request.user, expense=expense, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The expense has been cancelled: its amount is free again on the line."))
            return redirect(expense.line.get_absolute_url())
    return render(request, "funding/expense_cancel.html", {"access": access, "form": form, "expense": expense})


@programme_view(*READERS)
def reallocation_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    moves = selectors.reallocation_list(request.user, access.programme)
    coordinator = access.has_role(Role.COORDINATOR)
    columns = listcolumns.REALLOCATIONS_WITH_RECORDER if coordinator else listcolumns.REALLOCATIONS
    export = list_export(request, access, name="storni", title=_("Reallocations"), rows=moves, columns=columns)
    if export is not None:
        return export
    page = Paginator(moves, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/reallocation_list.html",
        {"access": access, "page": page, "query_string": "", "can_manage": access.has_role(Role.COORDINATOR)},
    )


@programme_view(*MANAGERS)
def reallocation_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = ReallocationForm(request.POST or None, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reallocation_record(
                actor=request.user, programme=access.programme, from_line=data["from_line"],
                to_line=data["to_line"], amount=data["amount"], reason=data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The money has been moved; the move is recorded with its reason."))
            return redirect("funding:reallocation-list", slug=access.programme.slug)
    return form_page(
        request,
        access,
        form,
        title=_("Move money between lines"),
        submit=_("Move the money"),
        back_url=reverse("funding:reallocation-list", kwargs={"slug": access.programme.slug}),
        intro=_("Only between lines of the same source, and only what is not yet committed or spent."),
    )
