"""Demo targets of the seed programmes: the only figures of the evaluation typed in by hand.

Fare #BeneComune's targets are the results seed 001 reports after "little more than a year" (159
households, over 600 minors at events in the city's spaces and 100 more in citizenship labs and
courses, over 7,100 citizens, 116 organisations and informal groups, 235 volunteers); #genera_azioni's
is seed 004's "coinvolgere 4500 famiglie". Set through the service, so every value is audited.

The people of the followed households also give (or their guardian gives) consent to the use of
their data in statistics — nine in ten, so the pseudonymised extract shows both sides of the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from trama.evaluation.services import target_set
from trama.people.models import CONSENT_AGE, Consent, Person
from trama.people.services import consent_record
from trama.territory.models import Programme

SEED_001 = "Risultati di metà percorso riportati dal programma (seed 001)."
SEED_004 = "Obiettivo dichiarato dal programma: coinvolgere 4.500 famiglie (seed 004)."

TARGETS: dict[str, list[tuple[str, int, str]]] = {
    "fare-benecomune": [
        ("households-supported", 159, SEED_001),
        ("minors-reached-anonymous", 600, SEED_001),
        ("minors-reached-named", 100, SEED_001),
        ("citizens-reached", 7100, SEED_001),
        ("organisations-and-groups-active", 116, SEED_001),
        ("volunteers-active", 235, SEED_001),
    ],
    "genera-azioni": [("households-supported", 4500, SEED_004)],
}


def load(log: Callable[[str], None]) -> None:
    for slug, targets in TARGETS.items():
        programme = Programme.objects.filter(slug=slug).first()
        if programme is None:
            continue
        for code, value, note in targets:
            target_set(
                actor=None, programme=programme, indicator_code=code, kind="target", value=Decimal(value), note=note
            )
        log(f"{programme.name}: {len(targets)} evaluation targets.")
        consents = _statistics_consents(programme)
        if consents:
            log(f"{programme.name}: {consents} consents to statistics.")


def _statistics_consents(programme: Programme) -> int:
    """Consent to statistics for nine in ten people of the followed households (once)."""
    if Consent.objects.filter(person__programme=programme, purpose=Consent.Purpose.STATISTICS).exists():
        return 0
    today = timezone.localdate()
    people = Person.objects.filter(programme=programme, households__cases__isnull=False).distinct()
    recorded = 0
    with transaction.atomic():
        for index, person in enumerate(people.order_by("pk")):
            if index % 10 == 7:
                continue
            age = person.age(today)
            minor = age is not None and age < CONSENT_AGE
            consent_record(
                actor=None,
                person=person,
                fields={
                    "purpose": Consent.Purpose.STATISTICS,
                    "given_by": Consent.GivenBy.GUARDIAN if minor else Consent.GivenBy.SELF,
                    "guardian_name": "Genitore (firma sul modulo)" if minor else "",
                    "given_on": today - timedelta(days=30),
                },
            )
            recorded += 1
    return recorded
