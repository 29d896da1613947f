from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from trama.accounts import otp, services
from trama.accounts.audit import audit_record
from trama.accounts.forms import LoginForm, MembershipChangeForm, MembershipGrantForm, TokenForm
from trama.accounts.models import AuditEvent, Membership, Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.accounts.selectors import audit_events_for_programme, programme_members, programmes_for_user
from trama.network.selectors import programme_organisations

PAGE_SIZE = 25


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request, reverse("accounts:home")))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.session_login(request=request, user=form.get_user())
            return redirect(_safe_next(request, reverse("accounts:home")))
        services.session_login_failed(
            request=request,
            identifier=request.POST.get("username", ""),
            locked_out=getattr(request, "axes_locked_out", False),
        )
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        with transaction.atomic():
            audit_record(action=AuditEvent.Action.LOGOUT, actor=request.user, request=request)
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("portal:index")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in user lands: their programme, or the choice among several."""
    programmes = list(programmes_for_user(request.user))
    if len(programmes) == 1:
        return redirect("territory:programme-home", slug=programmes[0].slug)
    return render(request, "accounts/home.html", {"programmes": programmes})


@login_required
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.otp_enrol(request=request, token=form.cleaned_data["token"])
        if codes is not None:
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _safe_next(request, "")})
        form.add_error("token", _("The code is not correct. Check the time on your phone and try again."))
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "secret": otp.setup_config_secret(request), "next": _safe_next(request, "")},
    )


@login_required
@never_cache
def otp_qrcode(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(otp.setup_qrcode_svg(request), content_type="image/svg+xml")
    return response


@login_required
@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    if not user_has_device(request.user, confirmed=True):
        return redirect("accounts:otp-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.otp_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_safe_next(request, reverse("accounts:home")))
        form.add_error("token", _("The code is not correct or has already been used."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request, "")})


@login_required
@never_cache
def backup_codes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        raise PermissionDenied
    if request.method == "POST":
        codes = otp.otp_regenerate_backup_codes(request=request)
        return render(request, "accounts/backup_codes.html", {"codes": codes, "next": ""})
    return render(request, "accounts/backup_codes_confirm.html", {})


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {"has_device": user_has_device(request.user, confirmed=True), "verified": request.user.is_verified()},
    )


# --- Members of a programme (coordinators) -------------------------------------------------


@programme_view(Role.COORDINATOR)
def member_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = ""
    members = programme_members(access.programme, query=query, role=role)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/member_list.html",
        {"access": access, "page": page, "query": query, "role": role, "roles": Role.choices},
    )


@programme_view(Role.COORDINATOR)
def member_add(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = MembershipGrantForm(request.POST or None, organisations=programme_organisations(access.programme))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.membership_invite(
            actor=request.user,
            request=request,
            programme=access.programme,
            email=data["email"],
            full_name=data["full_name"],
            organisation=data["organisation"],
            role=data["role"],
            is_supervisor=data["is_supervisor"],
        )
        messages.success(
            request,
            _("%(email)s now has the role of %(role)s in this programme.")
            % {"email": data["email"], "role": Role(data["role"]).label},
        )
        return redirect("accounts:member-list", slug=access.programme.slug)
    return render(request, "accounts/member_form.html", {"access": access, "form": form})


def _member_for(access: ProgrammeAccess, member_id: str) -> Membership:
    membership = programme_members(access.programme).filter(public_id=member_id).first()
    if membership is None:
        raise Http404
    return membership


@programme_view(Role.COORDINATOR)
def member_edit(request: HttpRequest, access: ProgrammeAccess, member_id: str) -> HttpResponse:
    membership = _member_for(access, member_id)
    form = MembershipChangeForm(
        request.POST or None, initial={"role": membership.role, "is_supervisor": membership.is_supervisor}
    )
    if request.method == "POST" and form.is_valid():
        services.membership_change_role(
            actor=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
            is_supervisor=form.cleaned_data["is_supervisor"],
        )
        messages.success(request, _("The role has been changed."))
        return redirect("accounts:member-list", slug=access.programme.slug)
    return render(request, "accounts/member_edit.html", {"access": access, "form": form, "membership": membership})


@programme_view(Role.COORDINATOR)
def member_revoke(request: HttpRequest, access: ProgrammeAccess, member_id: str) -> HttpResponse:
    membership = _member_for(access, member_id)
    if request.method == "POST":
        try:
            services.membership_revoke(actor=request.user, membership=membership)
        except PermissionDenied:
            messages.error(request, _("You cannot remove your own coordinator role."))
        else:
            messages.success(request, _("The role has been removed."))
        return redirect("accounts:member-list", slug=access.programme.slug)
    return render(request, "accounts/member_revoke.html", {"access": access, "membership": membership})


@programme_view(Role.COORDINATOR)
def audit_log(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    action = request.GET.get("action", "")
    if action not in AuditEvent.Action.values:
        action = ""
    actor_query = request.GET.get("actor", "").strip()
    events = audit_events_for_programme(access.programme, action=action, actor_query=actor_query)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {
            "access": access,
            "page": page,
            "action": action,
            "actor_query": actor_query,
            "actions": AuditEvent.Action.choices,
        },
    )
