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
from django.db.models import Min
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
