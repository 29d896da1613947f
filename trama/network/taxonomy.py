"""The controlled vocabularies of the network: services offered at places, themes of groups.

Codes are stable (HSDS publishes them as taxonomy terms, filters use them in URLs); labels are
translated here. `TaxonomyTerm` rows are created from these lists by a data migration, and a new
term is added by appending to a list and writing a migration that calls `sync_terms`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SERVICE = "service"
THEME = "theme"

# (code, Italian name stored in the row and published by HSDS, translatable label)
SERVICES: list[tuple[str, str, Any]] = [
    ("listening-desk", "Sportello di ascolto", _("listening desk")),
    ("family-tutoring", "Tutoring familiare", _("family tutoring")),
    ("homework-help", "Aiuto compiti", _("homework help")),
    ("green-care", "Cura del verde", _("care of green areas")),
    ("mutual-aid", "Scambio e mutuo aiuto", _("exchange and mutual aid")),
    ("parenting-meetings", "Incontri sulla genitorialità", _("parenting meetings")),
    ("financial-education", "Informazione economico-finanziaria", _("economic and financial information")),
    ("conflict-mediation", "Mediazione dei conflitti familiari e sociali", _("family and social conflict mediation")),
    ("job-desk", "Sportello lavoro", _("job desk")),
    ("housing-desk", "Sportello casa", _("housing desk")),
    ("after-school", "Attività extrascolastiche", _("after-school activities")),
    ("culture-and-sport", "Cultura, sport e tempo libero", _("culture, sport and leisure")),
    ("youth-orientation", "Orientamento per i giovani", _("orientation for young people")),
    ("digital-help", "Sportello digitale", _("digital help desk")),
]

THEMES: list[tuple[str, str, Any]] = [
    ("green-areas", "Cura del verde", _("care of green areas")),
    ("mutual-aid", "Scambio e mutuo aiuto", _("exchange and mutual aid")),
    ("families", "Famiglie", _("families")),
    ("culture", "Cultura", _("culture")),
    ("neighbourhood", "Vita di quartiere", _("neighbourhood life")),
    ("children-and-youth", "Bambini e ragazzi", _("children and young people")),
    ("elderly", "Compagnia agli anziani", _("company for the elderly")),
    ("environment", "Ambiente e sostenibilità", _("environment and sustainability")),
    ("sport", "Sport", _("sport")),
    ("intercultural", "Dialogo interculturale", _("intercultural dialogue")),
]

VOCABULARIES = {SERVICE: SERVICES, THEME: THEMES}


def label_for(vocabulary: str, code: str) -> str:
    labels = {term_code: label for term_code, _name, label in VOCABULARIES[vocabulary]}
    return str(labels.get(code, code))


def sync_terms(model: Any) -> None:
    """Create the missing terms (the data migration passes its historical model)."""
    for vocabulary, terms in VOCABULARIES.items():
        for position, (code, name, _label) in enumerate(terms):
            model.objects.update_or_create(
                vocabulary=vocabulary, code=code, defaults={"name": name, "position": position}
            )
