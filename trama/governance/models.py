"""The governance of the partnership (seed 000: "governance, comunicazione … confronto continuo e
costante"; seed 001: the open assembly of the network, 2 July 2020).

Bodies (the steering committee — cabina di regia —, thematic tables, the open assembly) have
members: organisations and people. Their meetings have an agenda, the people and organisations who
attended, minutes and decisions; a decision can be tied to an action line or an indicator and is
followed up until it is done. A public meeting (an open assembly) is also an activity of kind
ASSEMBLY on the programme's public calendar: the calendar shows it with no change of its own.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.activities.models import Activity
from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.territory.models import ActionLine, Municipality, Programme

CONTACT = "contact"


def _pd(category: str, purpose: str = Purpose.ACCOUNTABILITY) -> PersonalData:
    return PersonalData(category, purpose, CONTACT)


class Body(VersionedModel):
    """A body of the partnership."""

    class Kind(models.TextChoices):
        STEERING_COMMITTEE = "steering_committee", _("steering committee (cabina di regia)")
        THEMATIC_TABLE = "thematic_table", _("thematic table")
        OPEN_ASSEMBLY = "open_assembly", _("open assembly")
        OTHER = "other", _("other body")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="bodies")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    action_line = models.ForeignKey(
        ActionLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="bodies",
        verbose_name=_("action line"), help_text=_("For a thematic table: the action line it follows."),
    )  # fmt: skip
    meets_in_public = models.BooleanField(
        _("meets in public"), default=False,
        help_text=_("Its meetings appear on the programme's public calendar (an open assembly)."),
    )  # fmt: skip
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["programme", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="body_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:body-detail", args=[self.programme.slug, self.public_id])


class BodyMember(BaseModel):
    """A member of a body: an organisation (through whoever it sends), a person with an account,
    or a person named here (a guest member such as the children's ombudsman)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        SECRETARY = "secretary", _("secretary")
        MEMBER = "member", _("member")
        OBSERVER = "observer", _("observer")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="body_memberships",
        verbose_name=_("organisation"),
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="body_memberships",
        verbose_name=_("person with an account"),
    )  # fmt: skip
    name = models.CharField(_("person"), max_length=150, blank=True, help_text=_("Someone without an account."))
    role = models.CharField(_("role in the body"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("member from"), null=True, blank=True)
    until = models.DateField(_("member until"), null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "body": _pd(Category.ACTIVITY),
        "organisation": _pd(Category.LINK),
        "user": _pd(Category.LINK),
        "name": _pd(Category.IDENTITY),
        "role": _pd(Category.ACTIVITY),
        "since": _pd(Category.ACTIVITY),
        "until": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("member of a body")
        verbose_name_plural = _("members of bodies")
        ordering = ["body", "role", "organisation__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(user__isnull=False) | ~Q(name=""),
                name="body_member_is_someone",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(since__isnull=True) | Q(until__gte=models.F("since")),
                name="body_member_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def person_label(self) -> str:
        if self.user_id:
            return str(self.user)
        return self.name

    @property
    def label(self) -> str:
        person, organisation = self.person_label, self.organisation.name if self.organisation_id else ""
        if person and organisation:
            return f"{person} ({organisation})"
        return person or organisation

    @property
    def is_current(self) -> bool:
        return self.until is None or self.until >= timezone.localdate()


class Meeting(VersionedModel):
    """A meeting of a body: agenda before, attendance, minutes and decisions after."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="meetings")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.ForeignKey(
        CommunityPlace, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings",
        verbose_name=_("place"),
    )  # fmt: skip
    venue = models.CharField(_("venue"), max_length=200, blank=True, help_text=_("When not at a place of the network."))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality"),
        help_text=_("Needed for a public meeting not at a place of the network."),
    )  # fmt: skip
    is_public = models.BooleanField(_("open to the public"), default=False)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    # People counted without a name at an open assembly (the named ones are attendance rows).
    other_participants = models.PositiveIntegerField(_("other participants, not named"), default=0)
    # The public calendar's entry of a public meeting.
    activity = models.OneToOneField(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="governance_meeting"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]
        indexes = [
            # The meeting list: a programme's meetings by date, and a body's.
            models.Index(fields=["programme", "-starts_at"], name="meeting_programme_date_idx"),
            models.Index(fields=["body", "-starts_at"], name="meeting_body_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting-detail", args=[self.programme.slug, self.public_id])

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A meeting must end after it starts.")})

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class MeetingAttendance(BaseModel):
    """One participant of a meeting: a member of the body, the representative of an organisation
    or of a citizen group, or a guest named here."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("member of the body")
        ORGANISATION = "organisation", _("representative of an organisation")
        GROUP = "group", _("representative of a citizen group")
        GUEST = "guest", _("guest")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    member = models.ForeignKey(BodyMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_attendances"
    )
    citizen_group = models.ForeignKey(
        CitizenGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_attendances"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "meeting": _pd(Category.ACTIVITY),
        "kind": _pd(Category.ACTIVITY),
        "member": _pd(Category.LINK),
        "user": _pd(Category.LINK),
        "organisation": _pd(Category.LINK),
        "citizen_group": _pd(Category.LINK),
        "name": _pd(Category.IDENTITY),
        "recorded_by": _pd(Category.LINK),
    }

    class Meta:
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendances")
        ordering = ["meeting", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], condition=Q(member__isnull=False), name="attendance_member_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "citizen_group"], condition=Q(kind="group"), name="attendance_group_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "organisation"], condition=Q(kind="organisation"), name="attendance_org_once"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == self.Kind.GROUP and self.citizen_group_id:
            return self.citizen_group.name
        if self.kind == self.Kind.ORGANISATION and self.organisation_id:
            return self.organisation.name
        if self.member_id:
            return self.member.label
        return self.name


class Decision(VersionedModel):
    """What a meeting decided, who follows it up and by when; tied to an action line or an
    indicator when it is meant to move one."""

    class Status(models.TextChoices):
        OPEN = "open", _("to do")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    CLOSED: ClassVar[tuple[str, ...]] = (Status.DONE, Status.DROPPED)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    title = models.CharField(_("decision"), max_length=300)
    details = models.TextField(_("details"), blank=True)
    action_line = models.ForeignKey(
        ActionLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions",
        verbose_name=_("action line"),
    )  # fmt: skip
    indicator_code = models.SlugField(
        _("indicator"), max_length=80, blank=True, help_text=_("The code of the indicator it should move, if any.")
    )
    responsible_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions",
        verbose_name=_("in charge"),
    )  # fmt: skip
    due_on = models.DateField(_("due by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["due_on", "created_at"]
        indexes = [
            # The follow-up list: a programme's decisions by status and due date.
            models.Index(fields=["programme", "status", "due_on"], name="decision_follow_up_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:decision-detail", args=[self.programme.slug, self.public_id])

    @property
    def is_overdue(self) -> bool:
        return self.status not in self.CLOSED and self.due_on is not None and self.due_on < timezone.localdate()


class DecisionUpdate(BaseModel):
    """One step of a decision's follow-up: its new status and a note."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=12, choices=Decision.Status.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up of a decision")
        verbose_name_plural = _("follow-ups of decisions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.decision}: {self.status}"
