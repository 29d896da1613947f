"""Writes about shifts and hours: volunteer places at activity dates, signing up and cancelling,
who came, and the free-form hours a volunteer logs (confirmed by a coordinator or their lab
manager).

A shift is never over-filled (S22): a sign-up locks the shift's row (`select_for_update`, on
SQLite the IMMEDIATE transaction) before it counts the places taken, so concurrent sign-ups queue
and the late ones are refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DurationField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, User
from trama.activities.models import Activity, Occurrence
from trama.activities.permissions import management_membership
from trama.mutualaid.models import HourLog, ShiftSignup, Volunteer, VolunteerShift
from trama.mutualaid.permissions import volunteer_manager

MAX_HOURS_A_DAY = Decimal(24)


def _audit(actor: User | None, membership: Membership | None, target: object, programme: object, action: str) -> None:
    audit_record(action=action, actor=actor, membership=membership, programme=programme, target=target)


# --- Shifts ---------------------------------------------------------------------------------------


def _check_shift(task: str, slots: int) -> str:
    task = task.strip()
    errors = {}
    if not task:
        errors["task"] = _("Say what the volunteers will do.")
    if not isinstance(slots, int) or slots < 1:
        errors["slots"] = _("At least one volunteer is needed.")
    elif slots > 50:
        errors["slots"] = _("%(slots)d volunteers for one date is not plausible: check the figure.") % {"slots": slots}
    if errors:
        raise ValidationError(errors)
    return task


def shift_create(*, actor: User | None, occurrence: Occurrence, task: str, slots: int) -> VolunteerShift:
    """Places for `slots` volunteers at one date still to come."""
    task = _check_shift(task, slots)
    with transaction.atomic():
        activity = occurrence.activity
        membership = management_membership(actor, activity)
        if occurrence.is_cancelled or occurrence.starts_at <= timezone.now():
            raise ValidationError(_("Shifts are for dates still to come, and not cancelled."))
        if VolunteerShift.objects.filter(occurrence=occurrence, task__iexact=task).exists():
            raise ValidationError({"task": _("This date already has a shift for this task.")})
        shift = VolunteerShift.objects.create(occurrence=occurrence, task=task, slots=slots, created_by=actor)
        _audit(actor, membership, shift, activity.programme, AuditEvent.Action.CREATE)
    return shift


def shifts_create_for_activity(
    *, actor: User | None, activity: Activity, task: str, slots: int, start: date, end: date
) -> list[VolunteerShift]:
    """The same shift at every date of `activity` from `start` to `end` still to come (e.g. two
    volunteers at each homework session of the term). Dates that already have it are skipped."""
    task = _check_shift(task, slots)
    if end < start:
        raise ValidationError({"end": _("The last day cannot be before the first.")})
    if (end - start).days > 366:
        raise ValidationError({"end": _("Create shifts for at most one year at a time.")})
    with transaction.atomic():
        membership = management_membership(actor, activity)
        occurrences = list(
            activity.occurrences.filter(
                status=Occurrence.Status.SCHEDULED,
                starts_at__gt=timezone.now(),
                starts_at__date__gte=start,
                starts_at__date__lte=end,
            ).exclude(volunteer_shifts__task__iexact=task)
        )
        shifts = VolunteerShift.objects.bulk_create(
            [VolunteerShift(occurrence=o, task=task, slots=slots, created_by=actor) for o in occurrences]
        )
        if shifts:
            audit_record(
                action=AuditEvent.Action.CREATE, actor=actor, membership=membership, programme=activity.programme,
                target=activity, reason=f"{len(shifts)} volunteer shifts",
            )  # fmt: skip
    return shifts


def shift_delete(*, actor: User | None, shift: VolunteerShift) -> None:
    """Remove a shift nobody attended yet; its sign-ups go with it."""
    with transaction.atomic():
        shift = VolunteerShift.objects.select_for_update().select_related("occurrence__activity").get(pk=shift.pk)
        activity = shift.occurrence.activity
        membership = management_membership(actor, activity)
        if shift.signups.filter(attended=True).exists():
            raise ValidationError(_("Volunteers already served in this shift: their hours depend on it."))
        _audit(actor, membership, shift, activity.programme, AuditEvent.Action.DELETE)
        shift.delete()


def _signer_membership(actor: User | None, volunteer: Volunteer, shift: VolunteerShift) -> Membership | None:
    """A volunteer signs themselves up; the shift's managers may sign up a volunteer."""
    if actor is None or volunteer.user_id == actor.pk:
        return None
    return management_membership(actor, shift.occurrence.activity)


def shift_signup(*, actor: User | None, shift: VolunteerShift, volunteer: Volunteer) -> ShiftSignup:
    """Take one place of the shift, or a ValidationError (key "shift") when it is full."""
    with transaction.atomic():
        # The row lock serialises sign-ups to this shift: the count below cannot go stale.
        shift = VolunteerShift.objects.select_for_update().select_related("occurrence__activity").get(pk=shift.pk)
        membership = _signer_membership(actor, volunteer, shift)
        activity = shift.occurrence.activity
        if volunteer.programme_id != activity.programme_id or volunteer.status != Volunteer.Status.APPROVED:
            raise PermissionDenied
        if shift.occurrence.is_cancelled or shift.occurrence.starts_at <= timezone.now():
            raise ValidationError({"shift": _("This date is no longer open for sign-ups.")})
        live = ShiftSignup.objects.filter(shift=shift, status=ShiftSignup.Status.SIGNED_UP)
        if live.filter(volunteer=volunteer).exists():
            raise ValidationError({"shift": _("You are already signed up for this shift.")})
        if live.count() >= shift.slots:
            raise ValidationError({"shift": _("This shift is full: every place has been taken.")})
        try:
            with transaction.atomic():
                signup = ShiftSignup.objects.create(shift=shift, volunteer=volunteer, signed_up_at=timezone.now())
        except IntegrityError:
            raise ValidationError({"shift": _("You are already signed up for this shift.")}) from None
        audit_record(
            action=AuditEvent.Action.CREATE, actor=actor, membership=membership, programme=activity.programme,
            target=signup,
        )  # fmt: skip
    return signup


def shift_cancel(*, actor: User | None, signup: ShiftSignup) -> ShiftSignup:
    """Give the place back, before the date starts."""
    with transaction.atomic():
        shift = (
            VolunteerShift.objects.select_for_update().select_related("occurrence__activity").get(pk=signup.shift_id)
        )
        signup = ShiftSignup.objects.select_for_update().select_related("volunteer").get(pk=signup.pk)
        membership = _signer_membership(actor, signup.volunteer, shift)
        if signup.status == ShiftSignup.Status.CANCELLED:
            return signup
        if shift.occurrence.starts_at <= timezone.now():
            raise ValidationError({"shift": _("The shift has already started: ask the lab to record your absence.")})
        signup.status, signup.cancelled_at = ShiftSignup.Status.CANCELLED, timezone.now()
        signup.save(update_fields=["status", "cancelled_at", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE, actor=actor, membership=membership,
            programme=shift.occurrence.activity.programme, target=signup,
        )  # fmt: skip
    return signup


def shift_attendance_set(*, actor: User | None, shift: VolunteerShift, present: set[int]) -> int:
    """Record which signed-up volunteers served (sign-up primary keys in `present`); the others
    are recorded absent. Returns how many served."""
    with transaction.atomic():
        shift = VolunteerShift.objects.select_for_update().select_related("occurrence__activity").get(pk=shift.pk)
        activity = shift.occurrence.activity
        membership = management_membership(actor, activity)
        if shift.occurrence.is_cancelled:
            raise ValidationError(_("This date was cancelled: nobody served."))
        if timezone.localdate(shift.occurrence.starts_at) > timezone.localdate():
            raise ValidationError(_("Attendance can be recorded from the day of the activity, not before."))
        signups = list(shift.signups.filter(status=ShiftSignup.Status.SIGNED_UP))
        for signup in signups:
            attended = signup.pk in present
            if signup.attended is not attended:
                signup.attended, signup.recorded_by = attended, actor
                signup.save(update_fields=["attended", "recorded_by", "updated_at"])
        _audit(actor, membership, shift, activity.programme, AuditEvent.Action.UPDATE)
    return sum(1 for signup in signups if signup.pk in present)


# --- Hours ----------------------------------------------------------------------------------------


def _hours(value: object) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Write the hours as a number, e.g. 2 or 1.5.")}) from None
    if hours <= 0:
        raise ValidationError(
            {"hours": _("The hours must be more than zero: a negative figure is not a contribution.")}
        )
    if hours > MAX_HOURS_A_DAY:
        raise ValidationError(
            {"hours": _("%(hours)s hours in one day is not possible: a day has 24 hours.") % {"hours": hours}}
        )
    return hours


def hours_on(volunteer: Volunteer, day: date) -> Decimal:
    """The hours already counted or waiting for `volunteer` on `day`: attended shifts and logs not
    rejected."""
    logged = Decimal(
        str(
            HourLog.objects.filter(volunteer=volunteer, date=day)
            .exclude(status=HourLog.Status.REJECTED)
            .aggregate(total=Sum("hours"))["total"]
            or 0
        )
    ).quantize(Decimal("0.01"))
    served = ShiftSignup.objects.filter(
        volunteer=volunteer, attended=True, shift__occurrence__starts_at__date=day
    ).aggregate(
        total=Sum(ExpressionWrapper(F("shift__occurrence__ends_at") - F("shift__occurrence__starts_at"),
                                    output_field=DurationField()))
    )["total"] or timedelta(0)  # fmt: skip
    return logged + Decimal(served.total_seconds() / 3600).quantize(Decimal("0.01"))


def hours_log(*, actor: User | None, volunteer: Volunteer, day: date, hours: object, description: str) -> HourLog:
    """Log hours outside shifts. The volunteer's own log waits for confirmation; one made by their
    coordinator or lab manager is confirmed at once. A day never holds more than 24 hours."""
    amount = _hours(hours)
    description = description.strip()
    errors = {}
    if not description:
        errors["description"] = _("Say briefly what you did.")
    if day > timezone.localdate():
        errors["day"] = _("Hours can be logged for today or days past, not for days to come.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().select_related("programme").get(pk=volunteer.pk)
        membership = None
        if actor is not None and volunteer.user_id != actor.pk:
            membership = volunteer_manager(actor, volunteer)
        if volunteer.status != Volunteer.Status.APPROVED:
            raise PermissionDenied
        already = hours_on(volunteer, day)
        if already + amount > MAX_HOURS_A_DAY:
            raise ValidationError(
                {
                    "hours": _(
                        "With these, %(day)s would count %(total)s hours: a day has 24. Check the hours already logged."
                    )
                    % {"day": day.strftime("%d/%m/%Y"), "total": already + amount}
                }
            )
        confirmed = actor is None or membership is not None
        log = HourLog.objects.create(
            volunteer=volunteer, date=day, hours=amount, description=description, created_by=actor,
            status=HourLog.Status.CONFIRMED if confirmed else HourLog.Status.PENDING,
            reviewed_by=actor if membership is not None else None,
            reviewed_at=timezone.now() if confirmed else None,
        )  # fmt: skip
        audit_record(
            action=AuditEvent.Action.CREATE, actor=actor, membership=membership, programme=volunteer.programme,
            target=log,
        )  # fmt: skip
    return log


def hours_review(*, actor: User | None, log: HourLog, confirm: bool) -> HourLog:
    """A coordinator or the volunteer's lab manager confirms (or does not confirm) logged hours."""
    with transaction.atomic():
        log = HourLog.objects.select_for_update().select_related("volunteer__programme").get(pk=log.pk)
        membership = volunteer_manager(actor, log.volunteer)
        if log.status != HourLog.Status.PENDING:
            raise ValidationError(_("These hours have already been reviewed."))
        log.status = HourLog.Status.CONFIRMED if confirm else HourLog.Status.REJECTED
        log.reviewed_by, log.reviewed_at = actor, timezone.now()
        log.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE, actor=actor, membership=membership, programme=log.volunteer.programme,
            target=log, reason="confirmed" if confirm else "not confirmed",
        )  # fmt: skip
    return log
