"""The network of the seed programmes: supporters by kind, community places, citizen groups.

Seed 002 counts Fare #BeneComune's supporters (11 local authorities, 2 public bodies, 4 companies,
24 co-operatives and non-profits) without naming them; seed 000 promises 10 community labs, seed
004 six Punti di comunità, seed 003 community labs and civic centres. Where the seeds give no
name, names, addresses, hours and coordinates below are plausible and marked as illustrative.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

from trama.network.models import CitizenGroup, CommunityPlace, Organisation, Partnership, TaxonomyTerm
from trama.network.services import group_save, organisation_ensure, partnership_set, place_save, place_set_opening_hours
from trama.territory.models import Municipality, Programme

ILLUSTRATIVE = "Dati dimostrativi: il documento del programma non nomina questo luogo."
Kind = Organisation.Kind
Place = CommunityPlace.Kind

# Fare #BeneComune's supporters: the 11 other municipalities of the district are the local
# authorities; the other kinds get illustrative names.
FBC_SUPPORTERS: list[tuple[str, str]] = [
    *[(f"Comune di {name}", Kind.LOCAL_AUTHORITY) for name in (
        "Cava Manara", "Carbonara al Ticino", "Mezzana Rabattone", "San Genesio ed Uniti", "San Martino Siccomario",
        "Sommo", "Torre d'Isola", "Travacò Siccomario", "Villanova d'Ardenghi", "Zerbolò", "Zinasco",
    )],
    ("Azienda sanitaria del territorio (dimostrativo)", Kind.PUBLIC_BODY),
    ("Istituto comprensivo del distretto (dimostrativo)", Kind.PUBLIC_BODY),
    *[(f"Impresa sostenitrice {n} (dimostrativo)", Kind.COMPANY) for n in range(1, 5)],
    *[(f"Cooperativa sociale sostenitrice {n} (dimostrativo)", Kind.SOCIAL_COOPERATIVE) for n in range(1, 13)],
    *[(f"Associazione sostenitrice {n} (dimostrativo)", Kind.THIRD_SECTOR) for n in range(1, 13)],
]  # fmt: skip

# (name, kind, municipality ISTAT, address, lat, lon, managing organisation, services, hours)
Hours = list[tuple[int, time, time]]
AFTERNOONS: Hours = [(1, time(15), time(18)), (3, time(15), time(18)), (5, time(15), time(18))]
MORNINGS: Hours = [(2, time(9, 30), time(12, 30)), (4, time(9, 30), time(12, 30))]

FBC_LABS = [
    ("Laboratorio Sociale Pavia Ovest", "018110", "Via dei Mille 20", "45.19010", "9.13820", "Acli",
     ["listening-desk", "family-tutoring", "homework-help"], AFTERNOONS),
    ("Laboratorio Sociale Crosione", "018110", "Via Pollaioli 5", "45.17680", "9.16250", "Babele Onlus",
     ["mutual-aid", "parenting-meetings", "homework-help"], AFTERNOONS),
    ("Laboratorio Sociale Scala", "018110", "Viale Partigiani 12", "45.19950", "9.15480", "Centro Servizi Volontariato",
     ["green-care", "mutual-aid"], MORNINGS),
    ("Laboratorio Sociale Vallone", "018110", "Via Vallone 3", "45.20460", "9.17010", "Aldia",
     ["family-tutoring", "financial-education"], AFTERNOONS),
    ("Laboratorio Sociale Borgo Ticino", "018110", "Via dei Mulini 8", "45.17960", "9.15300", "Progetto ConTatto",
     ["listening-desk", "conflict-mediation"], MORNINGS),
    ("Laboratorio Sociale Città Giardino", "018110", "Viale Campari 40", "45.20210", "9.14420", "CSF",
     ["homework-help", "culture-and-sport"], AFTERNOONS),
    ("Laboratorio di comunità di Cava Manara", "018041", "Piazza Roma 1", "45.13980", "9.10810", "Acli",
     ["listening-desk", "mutual-aid"], MORNINGS),
    ("Laboratorio di comunità di San Martino Siccomario", "018137", "Via Roma 30", "45.16300", "9.14000",
     "Babele Onlus", ["parenting-meetings", "homework-help"], AFTERNOONS),
    ("Laboratorio di comunità di Travacò Siccomario", "018162", "Via Marconi 2", "45.14880", "9.15900", "Aldia",
     ["family-tutoring", "job-desk"], MORNINGS),
    ("Laboratorio di comunità di Zinasco", "018190", "Piazza Vittorio Veneto 4", "45.12800", "9.02990",
     "Centro Servizi Volontariato", ["green-care", "listening-desk"], MORNINGS),
]  # fmt: skip

# (name, municipality, neighbourhood, themes, exact point or None = municipality level)
FBC_GROUPS = [
    ("Orti condivisi del Crosione", "018110", "Crosione", ["green-areas", "neighbourhood"], ("45.17600", "9.16400")),
    ("Banca del tempo Pavia Ovest", "018110", "Pavia Ovest", ["mutual-aid"], ("45.19100", "9.13700")),
    ("Mamme in rete", "018110", "Scala", ["families", "mutual-aid"], None),
    ("Amici del parco della Vernavola", "018110", "Vallone", ["green-areas", "environment"], ("45.20800", "9.17300")),
    ("Gruppo di cammino Ticino", "018110", "Borgo Ticino", ["sport", "elderly"], None),
    ("Compiti insieme", "018110", "Città Giardino", ["children-and-youth"], None),
    ("Cucine dal mondo", "018110", "Centro storico", ["intercultural", "culture"], ("45.18590", "9.15530")),
    ("Riparatori volontari", "018110", "Mirabello", ["mutual-aid"], None),
    ("Lettori ad alta voce", "018110", "San Pietro in Verzolo", ["culture", "children-and-youth"], None),
    ("Nonni in piazza", "018110", "Pavia Est", ["elderly", "neighbourhood"], None),
    ("Cura del verde di Cava Manara", "018041", "", ["green-areas"], ("45.14100", "9.10600")),
    ("Famiglie in rete di Cava Manara", "018041", "", ["families"], None),
    ("Scambio di abiti per bambini", "018137", "", ["families", "mutual-aid"], None),
    ("Giovani per San Martino", "018137", "", ["children-and-youth", "neighbourhood"], None),
    ("Orto sociale di Travacò", "018162", "", ["green-areas", "environment"], ("45.15000", "9.16100")),
    ("Cineforum di comunità", "018162", "", ["culture"], None),
    ("Gruppo di mutuo aiuto di Zinasco", "018190", "", ["mutual-aid"], None),
    ("Passeggiate lungo il Po", "018091", "", ["sport", "environment"], None),
    ("Biblioteca dei semi", "018159", "", ["environment", "green-areas"], None),
    ("Festa di quartiere di Sommo", "018151", "", ["neighbourhood", "culture"], None),
]

LEGAMI_PLACES = [
    ("Laboratorio di Comunità di Cremona", Place.COMMUNITY_LAB, "019036", "Via Dante 10", "45.13310", "10.02270",
     "Comune di Cremona", ["listening-desk", "mutual-aid"], MORNINGS),
    ("Laboratorio di Comunità di Crema", Place.COMMUNITY_LAB, "019035", "Via Mazzini 5", "45.36280", "9.68500",
     "Comune di Crema", ["listening-desk", "family-tutoring"], AFTERNOONS),
    ("Laboratorio di Comunità di Casalmaggiore", Place.COMMUNITY_LAB, "019021", "Piazza Garibaldi 2", "44.98960",
     "10.41880", "Consorzio Casalasco dei Servizi Sociali", ["mutual-aid", "job-desk"], MORNINGS),
    ("Incroci di Comunità — Oratorio di Cremona", Place.CIVIC_CENTRE, "019036", "Via Bonomelli 81", "45.14050",
     "10.03100", "Consorzio Sol.co Cremona", ["after-school", "culture-and-sport"], AFTERNOONS),
    ("Incroci di Comunità — Scuola di Crema", Place.CIVIC_CENTRE, "019035", "Via Carlo Urbino 23", "45.35800",
     "9.69300", "Consorzio Arcobaleno", ["after-school", "homework-help"], AFTERNOONS),
]  # fmt: skip

GENERA_POINTS = [
    ("Punto di comunità di Montichiari", "017113", "Piazza Santa Maria 1", "45.41640", "10.39170"),
    ("Punto di comunità di Calcinato", "017032", "Piazza Aldo Moro 1", "45.45740", "10.41440"),
    ("Punto di comunità di Carpenedolo", "017039", "Piazza Europa 5", "45.36400", "10.43000"),
    ("Punto di comunità di Calvisano", "017034", "Piazza Vittorio Emanuele 1", "45.34640", "10.34500"),
    ("Punto di comunità di Remedello", "017160", "Piazza Roma 2", "45.27700", "10.37000"),
    ("Punto di comunità di Visano", "017203", "Via Roma 12", "45.31700", "10.37200"),
]


def _terms(vocabulary: str, codes: list[str]) -> list[TaxonomyTerm]:
    return list(TaxonomyTerm.objects.filter(vocabulary=vocabulary, code__in=codes))


def _place(  # noqa: PLR0917 — one positional argument per column of the demo tables above
    programme: Programme, name: str, kind: str, istat: str, address: str, lat: str, lon: str,
    organisation: Organisation, services: list[str], hours: Hours, description: str,
) -> None:  # fmt: skip
    existing = CommunityPlace.objects.filter(programme=programme, name=name).first()
    place = place_save(
        actor=None,
        programme=programme,
        place=existing,
        fields={
            "kind": kind, "name": name, "description": description, "managing_organisation": organisation,
            "address": address, "municipality": Municipality.objects.get(istat_code=istat),
            "latitude": Decimal(lat), "longitude": Decimal(lon),
            "email": "laboratori@example.org", "phone": "0382 000000", "is_published": True,
            "accessibility": "Ingresso senza gradini; bagno accessibile.",
        },
        services=_terms("service", services),
    )  # fmt: skip
    place_set_opening_hours(
        actor=None, place=place, slots=[{"weekday": d, "opens_at": o, "closes_at": c, "note": ""} for d, o, c in hours]
    )


def _group(  # noqa: PLR0917 — one positional argument per column of the demo table above
    programme: Programme, name: str, istat: str, neighbourhood: str, themes: list[str],
    point: tuple[str, str] | None, n: int,
) -> None:  # fmt: skip
    existing = CitizenGroup.objects.filter(programme=programme, name=name).first()
    group_save(
        actor=None,
        programme=programme,
        group=existing,
        fields={
            "name": name, "description": f"Gruppo informale di cittadini. {ILLUSTRATIVE}",
            "neighbourhood": neighbourhood,
            "municipality": Municipality.objects.get(istat_code=istat),
            "latitude": Decimal(point[0]) if point else None, "longitude": Decimal(point[1]) if point else None,
            "location_precision": CitizenGroup.Precision.EXACT if point else CitizenGroup.Precision.MUNICIPALITY,
            "public_contact": f"gruppo{n}@example.org" if n % 3 else "",
            "contact_name": f"Referente del gruppo {n}", "contact_email": f"referente{n}@example.org",
            "contact_phone": "", "contact_consent_on": date(2020, 7, 2), "is_published": True,
        },
        themes=_terms("theme", themes),
    )  # fmt: skip


def load(log: Callable[[str], None]) -> None:
    fbc = Programme.objects.get(slug="fare-benecomune")
    for name, kind in FBC_SUPPORTERS:
        organisation = organisation_ensure(name=name, kind=kind)
        partnership_set(actor=None, programme=fbc, organisation=organisation, role=Partnership.Role.SUPPORTER)
    for name, istat, address, lat, lon, org, services, hours in FBC_LABS:
        _place(fbc, name, Place.COMMUNITY_LAB, istat, address, lat, lon, Organisation.objects.get(name=org), services,
               hours, f"Laboratorio permanente di comunità di Fare #BeneComune. {ILLUSTRATIVE}")  # fmt: skip
    for n, (name, istat, neighbourhood, themes, point) in enumerate(FBC_GROUPS, start=1):
        _group(fbc, name, istat, neighbourhood, themes, point, n)

    legami = Programme.objects.get(slug="wellfare-legami")
    for name, kind, istat, address, lat, lon, org, services, hours in LEGAMI_PLACES:
        _place(legami, name, kind, istat, address, lat, lon, Organisation.objects.get(name=org), services, hours,
               f"Wel(l)FARE legami. {ILLUSTRATIVE}")  # fmt: skip

    genera = Programme.objects.get(slug="genera-azioni")
    manager = Organisation.objects.get(name="Cooperativa Punti di comunità (dimostrativo)")
    for name, istat, address, lat, lon in GENERA_POINTS:
        _place(genera, name, Place.COMMUNITY_POINT, istat, address, lat, lon, manager,
               ["listening-desk", "job-desk", "housing-desk"], MORNINGS,
               f"Uno dei 6 Punti di comunità di #genera_azioni. {ILLUSTRATIVE}")  # fmt: skip
    log(
        f"Network: {CommunityPlace.objects.count()} places, {CitizenGroup.objects.count()} groups, "
        f"{Partnership.objects.filter(programme=fbc).count()} organisations in Fare #BeneComune"
    )
