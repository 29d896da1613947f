"""Pacts built through the services, as the application builds them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from trama.pacts.models import Pact
from trama.pacts.services import pacts as pact_services
from trama.pacts.services.pacts import PactText


def text(today: date, *, objectives: str = "Trovare un lavoro stabile e pagare l'affitto con regolarità.",
         months_back: int = 2, months: int = 12) -> PactText:  # fmt: skip
    start = today - timedelta(days=30 * months_back)
    return PactText(objectives=objectives, start_date=start, end_date=start + timedelta(days=30 * months))


def draft(w, *, amount: str = "1000.00", hours: str = "20", **kwargs) -> Pact:
    """A draft pact of the case's member with one line (foundation) and one commitment (the place)."""
    pact = pact_services.pact_create(
        actor=w.owner, case=w.case, person=w.person, text=kwargs.pop("text", None) or text(w.today)
    )
    pact_services.budget_line_save(
        actor=w.owner, pact=pact, purpose="housing", source="foundation", funder=w.foundation, amount=Decimal(amount),
        description="Affitto di tre mesi",
    )  # fmt: skip
    pact_services.commitment_save(
        actor=w.owner, pact=pact, description="Aiuto al doposcuola", hours=Decimal(hours), place=w.place
    )
    return Pact.objects.get(pk=pact.pk)


def running(w, **kwargs) -> Pact:
    """A pact signed and started a month ago."""
    pact = draft(w, **kwargs)
    start = pact.latest_version.start_date
    pact_services.pact_sign(actor=w.owner, pact=pact, signed_on=start)
    pact_services.pact_start(actor=w.owner, pact=pact, started_on=start)
    return Pact.objects.get(pk=pact.pk)
