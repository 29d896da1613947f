"""Reads of the governance: bodies with their figures, meetings, a meeting's page, the decisions
to follow up. Scoped by who asks (`permissions.reader_membership`), in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from trama.accounts.models import User
from trama.governance.models import Body, BodyMember, Decision, DecisionUpdate, Meeting, MeetingAttendance
from trama.governance.permissions import reader_membership
from trama.territory.models import Programme, Target

DECISION_STATES = ("open", "overdue", "closed")


def body_list(user: User, programme: Programme) -> QuerySet[Body]:
    """The programme's bodies with their current members, meetings held and next meeting."""
    reader_membership(user, programme)
    now = timezone.now()
    today = timezone.localdate()
    next_meeting = (
        Meeting.objects.filter(body=OuterRef("pk"), starts_at__gte=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return (
        Body.objects.for_programme(programme)
        .select_related("action_line", "programme")
        .annotate(
            member_count=Count(
                "members", filter=Q(members__until__isnull=True) | Q(members__until__gte=today), distinct=True
            ),
            held_count=Count("meetings", filter=Q(meetings__status=Meeting.Status.HELD), distinct=True),
            next_meeting=Subquery(next_meeting),
        )
        .order_by("kind", "name", "pk")
    )


def current_members(body: Body) -> list[BodyMember]:
    today = timezone.localdate()
    return list(
        body.members.filter(Q(until__isnull=True) | Q(until__gte=today))
        .select_related("organisation", "user")
        .order_by("role", "organisation__name", "name", "pk")
    )


def meeting_list(
    user: User, programme: Programme, *, query: str = "", body: str = "", when: str = ""
) -> QuerySet[Meeting]:
    reader_membership(user, programme)
    meetings = Meeting.objects.for_programme(programme).select_related("body", "place", "municipality", "programme")
    if query:
        meetings = meetings.filter(Q(title__icontains=query) | Q(agenda__icontains=query))
    if body:
        meetings = meetings.filter(body__public_id=body)
    now = timezone.now()
    if when == "upcoming":
        meetings = meetings.filter(ends_at__gte=now).order_by("starts_at", "pk")
    elif when == "past":
        meetings = meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        meetings = meetings.order_by("-starts_at", "-pk")
    return meetings.annotate(
        named=Count("attendances", distinct=True), decision_count=Count("decisions", distinct=True)
    ).annotate(participants=F("named") + F("other_participants"))


@dataclass
class MeetingPage:
    meeting: Meeting
    attendances: list[MeetingAttendance]
    decisions: list[Decision]
    organisations: list[str]
    participants: int

    @property
    def named(self) -> int:
        return len(self.attendances)


def meeting_page(meeting: Meeting) -> MeetingPage:
    attendances = list(
        meeting.attendances.select_related("member__user", "member__organisation", "organisation", "citizen_group")
        .order_by("kind", "pk")
    )  # fmt: skip
    decisions = list(
        meeting.decisions.select_related("action_line", "responsible_organisation", "programme").order_by(
            "created_at", "pk"
        )
    )
    organisations = sorted(
        {a.organisation.name for a in attendances if a.organisation_id}
        | {a.member.organisation.name for a in attendances if a.member_id and a.member.organisation_id}
    )
    return MeetingPage(
        meeting=meeting, attendances=attendances, decisions=decisions, organisations=organisations,
        participants=len(attendances) + meeting.other_participants,
    )  # fmt: skip


def decision_list(
    user: User, programme: Programme, *, query: str = "", state: str = "", body: str = "", action_line: str = ""
) -> QuerySet[Decision]:
    """The decisions to follow up: open ones first by due date, overdue, or closed."""
    reader_membership(user, programme)
    decisions = Decision.objects.for_programme(programme).select_related(
        "meeting__body", "action_line", "responsible_organisation", "programme"
    )
    if query:
        decisions = decisions.filter(Q(title__icontains=query) | Q(details__icontains=query))
    today = timezone.localdate()
    if state == "open":
        decisions = decisions.exclude(status__in=Decision.CLOSED)
    elif state == "overdue":
        decisions = decisions.exclude(status__in=Decision.CLOSED).filter(due_on__lt=today)
    elif state == "closed":
        decisions = decisions.filter(status__in=Decision.CLOSED)
    if body:
        decisions = decisions.filter(meeting__body__public_id=body)
    if action_line:
        decisions = decisions.filter(action_line__public_id=action_line)
    return decisions.order_by(F("due_on").asc(nulls_last=True), "meeting__starts_at", "pk")


def decision_updates(decision: Decision) -> list[DecisionUpdate]:
    return list(decision.updates.select_related("recorded_by").order_by("-created_at", "-pk"))


def indicator_codes(programme: Programme) -> list[str]:
    """The indicator codes the programme has targets for: suggestions for a decision's indicator."""
    return sorted(set(Target.objects.for_programme(programme).values_list("indicator_code", flat=True)))


def body_meetings(body: Body) -> QuerySet[Meeting]:
    return (
        body.meetings.select_related("programme")
        .annotate(named=Count("attendances", distinct=True), decision_count=Count("decisions", distinct=True))
        .annotate(participants=F("named") + F("other_participants"))
        .order_by("-starts_at", "-pk")
    )
