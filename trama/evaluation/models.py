"""Roll-ups of the evaluation layer, kept current as records change.

Counting the distinct people of one programme reads its own attendances (~26 ms at regional scale);
counting them for every programme of the region reads all ten million (~2.5 s). The funder's view
across programmes therefore reads `PersonFirstSeen`: one row per (programme, person) with the day of
their first attendance, maintained by signal receivers on the rows the activities services write
and rebuilt by `refresh()`. Tests prove it equal to the plain query (DESIGN.md, "Performance budgets").
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.db.models import F, Min
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import AuditEvent
from trama.activities.models import Attendance, Occurrence
from trama.people.models import Person
from trama.territory.models import Programme


class PersonFirstSeen(models.Model):
    """The first day a person attended an activity of a programme (named attendance)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    first_seen = models.DateField(_("first attendance"))

    class Meta:
        verbose_name = _("first attendance of a person")
        verbose_name_plural = _("first attendances of people")
        constraints = [models.UniqueConstraint(fields=["programme", "person"], name="person_first_seen_unique")]
        indexes = [
            # SELECT programme_id, COUNT(*) … WHERE first_seen <= %s GROUP BY programme_id (across programmes),
            # and … WHERE programme_id = %s AND first_seen BETWEEN %s AND %s (new people in a period).
            models.Index(fields=["programme", "first_seen"], name="person_first_seen_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.person_id}:{self.first_seen}"


def plain_first_seen(programme: Programme | None = None) -> models.QuerySet:
    """What the roll-up must equal: (programme, person, first day) straight from the attendances."""
    attendances = Attendance.objects.all() if programme is None else Attendance.objects.filter(programme=programme)
    return attendances.values("programme_id", "person_id").annotate(first_seen=Min("date")).order_by()


def refresh(programme: Programme | None = None) -> int:
    """Rebuild the roll-up (of one programme, or of all) from the attendances in one INSERT … SELECT."""
    table = PersonFirstSeen._meta.db_table
    source = Attendance._meta.db_table
    with transaction.atomic():
        rows = (
            PersonFirstSeen.objects.all() if programme is None else PersonFirstSeen.objects.filter(programme=programme)
        )
        rows.delete()
        where, params = ("", []) if programme is None else ("WHERE programme_id = %s", [programme.pk])
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (programme_id, person_id, first_seen) "  # noqa: S608 — table names from models
                f"SELECT programme_id, person_id, MIN(date) FROM {source} {where} GROUP BY programme_id, person_id",
                params,
            )
            return cursor.rowcount


def refresh_people(programme_id: int, person_ids: list[int] | set[int]) -> None:
    """Bring the rows of some people of a programme up to date (after their attendances changed)."""
    if not person_ids:
        return
    firsts = dict(
        Attendance.objects.filter(programme_id=programme_id, person_id__in=person_ids)
        .values_list("person_id")
        .annotate(first=Min("date"))
        .order_by()
    )
    PersonFirstSeen.objects.filter(programme_id=programme_id, person_id__in=set(person_ids) - set(firsts)).delete()
    existing = {
        row.person_id: row
        for row in PersonFirstSeen.objects.filter(programme_id=programme_id, person_id__in=list(firsts))
    }
    changed = []
    for person_id, first in firsts.items():
        row = existing.get(person_id)
        if row is None:
            PersonFirstSeen.objects.get_or_create(
                programme_id=programme_id, person_id=person_id, defaults={"first_seen": first}
            )
        elif row.first_seen != first:
            row.first_seen = first
            changed.append(row)
    if changed:
        PersonFirstSeen.objects.bulk_update(changed, ["first_seen"])


@receiver(post_save, sender=Attendance, dispatch_uid="evaluation_first_seen_attendance_saved")
def _attendance_saved(sender: Any, instance: Attendance, **kwargs: Any) -> None:
    refresh_people(instance.programme_id, [instance.person_id])


@receiver(post_delete, sender=Attendance, dispatch_uid="evaluation_first_seen_attendance_deleted")
def _attendance_deleted(sender: Any, instance: Attendance, **kwargs: Any) -> None:
    refresh_people(instance.programme_id, [instance.person_id])


@receiver(post_save, sender=AuditEvent, dispatch_uid="evaluation_first_seen_occurrence_audited")
def _occurrence_audited(sender: Any, instance: AuditEvent, created: bool = False, **kwargs: Any) -> None:
    """The check-in sheet (`attendance_set`) adds attendances with bulk_create, which sends no
    post_save; it audits the occurrence in the same transaction: its people are brought up to date."""
    if not created or instance.target_type != Occurrence._meta.label_lower or not instance.target_id:
        return
    occurrence = Occurrence.objects.filter(public_id=instance.target_id).values("activity__programme_id").first()
    if occurrence is None:
        return
    people = set(
        Attendance.objects.filter(occurrence__public_id=instance.target_id).values_list("person_id", flat=True)
    )
    refresh_people(occurrence["activity__programme_id"], people)


class ProgrammeDataVersion(models.Model):
    """How many times a programme's records have changed: bumped after every audited write of the
    programme commits (`bump_after_commit`). A stored figure computed at an older version is stale."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("version of a programme's records")
        verbose_name_plural = _("versions of programmes' records")

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.version}"


class StoredFigure(models.Model):
    """An indicator's figure for a programme and a period, as computed at a version of the
    programme's records: the funder's view across programmes reads these and recomputes only the
    programmes whose records changed since (trama/evaluation/figures.py)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    indicator_code = models.CharField(_("indicator"), max_length=80)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    version = models.BigIntegerField(_("version of the records"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("stored figure")
        verbose_name_plural = _("stored figures")
        constraints = [
            # Also the index of SELECT … WHERE programme_id IN (…) AND start = %s AND end = %s.
            models.UniqueConstraint(
                fields=["programme", "start", "end", "indicator_code"], name="stored_figure_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code} {self.programme_id} {self.start}–{self.end}: {self.value}"


# Writes that change what an indicator counts (reads, exports and sign-ins do not).
_WRITES = (AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE)


def bump(programme_ids: set[int]) -> None:
    """One more version for each programme (the row is created at its first change)."""
    for programme_id in sorted(programme_ids):
        if not ProgrammeDataVersion.objects.filter(programme_id=programme_id).update(version=F("version") + 1):
            ProgrammeDataVersion.objects.bulk_create(
                [ProgrammeDataVersion(programme_id=programme_id, version=1)],
                update_conflicts=True,
                unique_fields=["programme"],
                update_fields=["version"],
            )


class _Pending:
    """The programmes changed by the current transaction, bumped by one callback when it commits."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.programmes: set[int] = set()

    def __call__(self) -> None:
        bump(self.programmes)

    def registered(self) -> bool:
        """Whether this callback still waits for the commit (a rollback discards it)."""
        return any(
            callback is self for _sids, callback, _robust in transaction.get_connection(self.using).run_on_commit
        )


_pending: dict[str, _Pending] = {}


def bump_after_commit(programme_id: int, using: str = "default") -> None:
    """Bump the programme's version once the transaction that changed it commits, once per
    transaction whatever the number of writes (an import audits thousands of rows). After the
    commit, not inside it: a version row locked by every write of a busy programme would queue its
    writers. A figure computed between the commit and the bump is stored at the old version and so
    recomputed once more: never a stale figure kept."""
    if not transaction.get_connection(using).in_atomic_block:
        bump({programme_id})
        return
    pending = _pending.get(using)
    if pending is None or not pending.registered():
        pending = _pending[using] = _Pending(using)
        transaction.on_commit(pending, using=using)
    pending.programmes.add(programme_id)


@receiver(post_save, sender=AuditEvent, dispatch_uid="evaluation_programme_changed")
def _programme_changed(sender: Any, instance: AuditEvent, created: bool = False, **kwargs: Any) -> None:
    if created and instance.programme_id and instance.action in _WRITES:
        bump_after_commit(instance.programme_id, kwargs.get("using") or "default")
