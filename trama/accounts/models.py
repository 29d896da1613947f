from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.core.models import BaseModel
from trama.network.models import Organisation
from trama.territory.models import Programme


class Role(models.TextChoices):
    """What a membership lets a person do in a programme (DESIGN.md, "Who uses it")."""

    COORDINATOR = "coordinator", _("coordinator")
    OPERATOR = "operator", _("operator")
    LAB_MANAGER = "lab_manager", _("lab manager")
    VOLUNTEER = "volunteer", _("volunteer")
    EVALUATOR = "evaluator", _("evaluator")
    FUNDER = "funder", _("funder")
    # A company of the work plan (seed 004): its own openings and the candidates proposed to it.
    COMPANY = "company", _("company")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. What they may see comes from their memberships, not from here.

    The primary key itself is a UUID (not the integer of other tables): Django's password-reset
    and invitation links carry the user's primary key, and no sequential id may reach a URL.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the administration site"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def public_id(self) -> uuid.UUID:
        return self.id

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)


class Membership(BaseModel):
    """A user acting for an organisation, with one role, inside one programme."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # An operator who supervises their organisation's cases in this programme (DESIGN.md, Access).
    is_supervisor = models.BooleanField(_("supervisor of the organisation"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["programme", "user__full_name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "programme", "organisation", "role"], name="membership_unique_role")
        ]
        indexes = [
            # Every signed-in request asks "which active memberships has this user in programme P?".
            models.Index(fields=["user", "programme"], name="membership_user_prog_idx", condition=Q(is_active=True)),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation} ({self.programme})"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit rows are written once and never changed or removed by the application (S11)."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Who did what to which record, when, and with what outcome (S10).

    Written by `trama.accounts.audit.audit_record` inside the transaction of the operation it
    records, so an operation whose audit row cannot be written does not happen either.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        SESSION_EXPIRED = "session_expired", _("session expired")
        OTP_ENROLLED = "otp_enrolled", _("two-factor enrolled")
        OTP_VERIFIED = "otp_verified", _("two-factor verified")
        OTP_FAILED = "otp_failed", _("two-factor failed")
        ROLE_GRANTED = "role_granted", _("role granted")
        ROLE_CHANGED = "role_changed", _("role changed")
        ROLE_REVOKED = "role_revoked", _("role revoked")
        READ = "read", _("read")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        EXPORT = "export", _("export")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        DENIED = "denied", _("denied")
        FAILURE = "failure", _("failure")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("who")
    )
    # What the person typed when there is no user (failed login); kept short, never a password.
    actor_label = models.CharField(_("identifier used"), max_length=254, blank=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    target_type = models.CharField(_("record type"), max_length=60, blank=True)
    target_id = models.CharField(_("record"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The coordinators' audit page: a programme's events, newest first.
            models.Index(fields=["programme", "-created_at"], name="audit_programme_time_idx"),
            # "Who accessed my file" (S12): every event on one record.
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # A user's own activity, newest first.
            models.Index(fields=["actor", "-created_at"], name="audit_actor_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")
