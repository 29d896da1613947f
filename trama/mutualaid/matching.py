"""A generic ranking engine: weighted criteria computed in the database, with reasons people read.

The mutual-aid proposals use it first (`trama.mutualaid.proposals`); the work and housing plans
(demand/offer matching, seed 004) are meant to reuse it as it is. A caller describes each
criterion as a SQL expression scoring a candidate between 0 and 1, a weight, and a function that
turns the candidate's annotated values into a sentence. `rank()` annotates the scores, sums them
with their weights, orders and slices in the database, and loads only the winners:

    ranked = rank(Offer.objects.filter(...), [
        Criterion("distance", 0.3, distance_score, explain=lambda row: f"{row.distance_km:.1f} km",
                  values={"distance_km": distance_expression}),
        ...
    ], limit=10)

Each `Ranked` carries the candidate, its total score and one `Reason` per criterion (score,
weight, text), so a page can show why a candidate comes first. Geography is plain arithmetic on
latitude/longitude columns (an equirectangular approximation, accurate to well under 1 % at the
distances of a district), with a bounding box that lets an index drop far candidates before any
distance is computed — the same SQL on SQLite and PostgreSQL, no GIS extension needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db import connections, transaction
from django.db.models import Case, Expression, ExpressionWrapper, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Greatest, Least, Sqrt

T = TypeVar("T")

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # ≈ 111.195 km of latitude
FLOAT = FloatField()
SCORE_PREFIX = "score__"
TOTAL = "match_score"


@dataclass(frozen=True)
class Criterion:
    """One reason to prefer a candidate. `score` is a SQL expression between 0 and 1; `values`
    are extra annotations that `explain` reads (e.g. the distance in km)."""

    name: str
    weight: float
    score: Any  # a Django expression
    explain: Callable[[Any], str]
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.weight <= 0:
            raise ValueError(f"criterion {self.name!r} needs a positive weight")


@dataclass(frozen=True)
class Reason:
    criterion: str
    weight: float
    score: float
    text: str

    @property
    def points(self) -> float:
        """What this criterion added to the total."""
        return self.weight * self.score

    def as_json(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "weight": self.weight, "score": round(self.score, 4), "text": self.text}


@dataclass(frozen=True)
class Ranked(Generic[T]):
    item: T
    score: float
    reasons: list[Reason]


def clamp01(expression: Any) -> Any:
    """Bound a score expression to [0, 1] (a distance beyond the radius must not go negative)."""
    return Greatest(Value(0.0), Least(Value(1.0), expression, output_field=FLOAT), output_field=FLOAT)


def as_float(expression: Any) -> Any:
    return Cast(expression, FLOAT)


def rank(queryset: QuerySet[T], criteria: Sequence[Criterion], *, limit: int = 10) -> list[Ranked[T]]:
    """The `limit` best candidates of `queryset` by the weighted sum of `criteria`, best first.

    Scores are annotated, summed, ordered and sliced by the database: only `limit` rows come back.
    Ties are broken by primary key, so the same data always gives the same order.
    """
    if not criteria:
        raise ValueError("rank() needs at least one criterion")
    total_weight = sum(criterion.weight for criterion in criteria)
    annotations: dict[str, Any] = {}
    for criterion in criteria:
        annotations.update(criterion.values)
        annotations[SCORE_PREFIX + criterion.name] = criterion.score
    ranked = queryset.annotate(**annotations)
    total: Any = None
    for criterion in criteria:
        term = F(SCORE_PREFIX + criterion.name) * Value(criterion.weight / total_weight)
        total = term if total is None else total + term
    ranked = ranked.annotate(**{TOTAL: _float(total)}).order_by(f"-{TOTAL}", "pk")[:limit]
    with without_jit(ranked.db):
        rows = list(ranked)
    results = []
    for row in rows:
        reasons = [
            Reason(
                criterion=criterion.name,
                weight=criterion.weight / total_weight,
                score=float(getattr(row, SCORE_PREFIX + criterion.name) or 0.0),
                text=criterion.explain(row),
            )
            for criterion in criteria
        ]
        results.append(Ranked(item=row, score=float(getattr(row, TOTAL) or 0.0), reasons=reasons))
    return results


@contextmanager
def without_jit(using: str) -> Iterator[None]:
    """Run a ranking without PostgreSQL's JIT compiler. The per-row subqueries give the query a high
    estimated cost, which triggers JIT: measured on the benchmark (100,000 offers), compiling took
    ~110 ms for a query that runs in ~50 ms. `SET LOCAL` ends with the transaction."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def _float(expression: Any) -> Any:
    return ExpressionWrapper(expression, output_field=FLOAT)


# --- Geography ------------------------------------------------------------------------------------


def _degrees(value: Decimal | float) -> float:
    return float(value)


def bounding_box(latitude_field: str, longitude_field: str, latitude: Decimal | float, longitude: Decimal | float,
                 km: float) -> Q:  # fmt: skip
    """Candidates inside the square of side 2·`km` around the point: a range filter an index can
    use, so the distance is computed only for candidates that may be near."""
    lat, lon = _degrees(latitude), _degrees(longitude)
    d_lat = km / KM_PER_DEGREE
    d_lon = km / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return Q(
        **{
            f"{latitude_field}__gte": Decimal(f"{lat - d_lat:.5f}"),
            f"{latitude_field}__lte": Decimal(f"{lat + d_lat:.5f}"),
            f"{longitude_field}__gte": Decimal(f"{lon - d_lon:.5f}"),
            f"{longitude_field}__lte": Decimal(f"{lon + d_lon:.5f}"),
        }
    )


def distance_km(latitude_field: str, longitude_field: str, latitude: Decimal | float,
                longitude: Decimal | float) -> Expression:  # fmt: skip
    """The distance in km from the point to each row, in SQL: √(Δy² + Δx²) with Δx scaled by the
    cosine of the point's latitude (a constant computed here, so the SQL needs no trigonometry)."""
    lat, lon = _degrees(latitude), _degrees(longitude)
    x_scale = KM_PER_DEGREE * math.cos(math.radians(lat))
    d_y = (as_float(F(latitude_field)) - Value(lat)) * Value(KM_PER_DEGREE)
    d_x = (as_float(F(longitude_field)) - Value(lon)) * Value(x_scale)
    return Sqrt(_float(d_y * d_y + d_x * d_x), output_field=FLOAT)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine distance, in Python: what tests compare the SQL approximation with."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def proximity_score(distance: Any, radius_km: float) -> Any:
    """1 at the point, falling linearly to 0 at `radius_km`."""
    return clamp01(Value(1.0) - distance / Value(float(radius_km)))


def flag_score(condition: Q, *, otherwise: float = 0.0) -> Any:
    """1 when `condition` holds for the row, `otherwise` when it does not."""
    return Case(When(condition, then=Value(1.0)), default=Value(float(otherwise)), output_field=FLOAT)


def smoothed_ratio(successes: str, failures: str) -> Any:
    """(successes + 1) / (successes + failures + 2): a track record where a newcomer scores ½ and
    one mishap does not sink a long good record (Laplace's rule of succession)."""
    good = as_float(F(successes)) + Value(1.0)
    return _float(good / (good + as_float(F(failures)) + Value(1.0)))
