"""The programme's network: organisations and citizen groups, tied by what they did together.

Seed 001 reports "new connections" between the network's members; this module makes them a graph
(networkx) from three kinds of record, each dated by when the collaboration first happened:

- an activity organised together (its organising organisations and co-organising groups: every
  pair of them, dated by the activity's first start);
- a referral (from the referring organisation to the organisation that receives it: the target
  organisation, the organisation running the target place, or the target group; rejected and
  revoked referrals are no collaboration), dated by when it was made;
- a pact signed together (every pair of organisations, places' organisations and groups among its
  signatories, dated by the first signature).

The graph holds every tie that existed by the end of the period and every partner and citizen
group of the programme (isolated ones too: density counts them). A tie is *new* when its first
collaboration falls in the period. The picture is an SVG drawn from coordinates computed here (a
circle, organisations then groups, each in name order): deterministic, no plotting library.

Organisations and groups are not personal data; groups are shown by their public name only (never
their contact person, nor, for those who asked for municipality-level privacy, where they meet).
The whole analysis costs six queries, whatever the size of the programme.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import networkx as nx
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.activities.models import Activity
from trama.casework.models import Referral
from trama.evaluation.registry import Period
from trama.network.models import CitizenGroup, Partnership
from trama.pacts.models import Signatory
from trama.territory.models import Programme

ORGANISATION = "organisation"
GROUP = "group"

ACTIVITY = "activity"
REFERRAL = "referral"
PACT = "pact"
TIE_KINDS = {
    ACTIVITY: _("activities organised together"),
    REFERRAL: _("referrals"),
    PACT: _("pacts signed together"),
}
NODE_KINDS = {ORGANISATION: _("organisation"), GROUP: _("citizen group")}

# The picture: a square canvas, the nodes on a circle, labels (numbers) just outside it.
SIZE = 640
RADIUS = 250
LABEL_RADIUS = 272
NODE_MIN, NODE_MAX = 5.0, 12.0
EDGE_MIN, EDGE_MAX = 1.0, 5.0


@dataclass(frozen=True)
class Node:
    key: str
    kind: str
    name: str
    number: int = 0  # the label drawn on the picture, and the first column of the table
    degree: int = 0  # how many others it is tied to
    strength: int = 0  # how many collaborations, all ties together
    degree_centrality: float = 0.0
    betweenness: float = 0.0
    x: float = 0.0
    y: float = 0.0
    radius: float = NODE_MIN
    label_x: float = 0.0
    label_y: float = 0.0
    label_anchor: str = "middle"

    @property
    def kind_label(self) -> Any:
        return NODE_KINDS[self.kind]

    @property
    def is_group(self) -> bool:
        return self.kind == GROUP

    # Groups are drawn as squares of the same area as a circle would have (side = r·√π).
    @property
    def side(self) -> float:
        return round(self.radius * math.sqrt(math.pi), 1)

    @property
    def corner_x(self) -> float:
        return round(self.x - self.side / 2, 1)

    @property
    def corner_y(self) -> float:
        return round(self.y - self.side / 2, 1)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    weight: int  # how many collaborations (activities, referrals, pacts) tie the two
    counts: dict[str, int]  # collaborations per tie kind
    first_seen: date
    is_new: bool
    x1: float = 0.0
    y1: float = 0.0
    x2: float = 0.0
    y2: float = 0.0
    width: float = EDGE_MIN

    @property
    def kinds(self) -> list[str]:
        return sorted(self.counts)

    @property
    def kind_labels(self) -> list[Any]:
        return [TIE_KINDS[kind] for kind in self.kinds]


@dataclass(frozen=True)
class NetworkAnalysis:
    period: Period
    nodes: list[Node]
    edges: list[Edge]
    density: float
    new_ties: int
    size: int = SIZE
    ties_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return len(self.nodes)

    @property
    def edge_count(self) -> int:
        return len(self.edges)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.size} {self.size}"

    @property
    def connected_count(self) -> int:
        """Organisations and groups with at least one tie (seed 001's "organisations and groups")."""
        return sum(1 for node in self.nodes if node.degree)

    @property
    def ranked_nodes(self) -> list[Node]:
        """The table's order: the most connected first."""
        return sorted(self.nodes, key=lambda node: (-node.degree, -node.betweenness, node.number))

    @property
    def new_edges(self) -> list[Edge]:
        return [edge for edge in self.edges if edge.is_new]

    def node(self, key: str) -> Node:
        return self._index[key]

    @property
    def _index(self) -> dict[str, Node]:
        return {node.key: node for node in self.nodes}

    @property
    def named_new_edges(self) -> list[tuple[Node, Node, Edge]]:
        index = self._index
        return [(index[edge.source], index[edge.target], edge) for edge in self.new_edges]

    @property
    def kind_rows(self) -> list[tuple[Any, int]]:
        return [(TIE_KINDS[kind], self.ties_by_kind.get(kind, 0)) for kind in TIE_KINDS]


def organisation_key(pk: int) -> str:
    return f"{ORGANISATION}:{pk}"


def group_key(pk: int) -> str:
    return f"{GROUP}:{pk}"


class _Collector:
    """Ties being gathered: per unordered pair, the collaborations per kind and the first date."""

    def __init__(self) -> None:
        self.names: dict[str, tuple[str, str]] = {}  # key → (kind, name)
        self.counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.first: dict[tuple[str, str], date] = {}

    def add_node(self, key: str, kind: str, name: str) -> None:
        self.names.setdefault(key, (kind, name))

    def add_tie(self, a: str, b: str, kind: str, day: date) -> None:
        if a == b:
            return
        pair = (a, b) if a < b else (b, a)
        self.counts[pair][kind] += 1
        if pair not in self.first or day < self.first[pair]:
            self.first[pair] = day

    def add_clique(self, members: list[str], kind: str, day: date) -> None:
        unique = sorted(set(members))
        for index, a in enumerate(unique):
            for b in unique[index + 1 :]:
                self.add_tie(a, b, kind, day)


def _end_of(day: date) -> datetime:
    """The first instant after `day` in the programme's time zone (for datetime comparisons)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _collect_members(collector: _Collector, programme: Programme) -> None:
    for pk, name in Partnership.objects.filter(programme=programme).values_list(
        "organisation_id", "organisation__name"
    ):
        collector.add_node(organisation_key(pk), ORGANISATION, name)
    for pk, name in CitizenGroup.objects.filter(programme=programme).values_list("pk", "name"):
        collector.add_node(group_key(pk), GROUP, name)


def _collect_activities(collector: _Collector, programme: Programme, until: datetime) -> None:
    members: dict[int, list[str]] = defaultdict(list)
    days: dict[int, date] = {}
    organisers = Activity.organisers.through.objects.filter(
        activity__programme=programme, activity__first_start__lt=until
    ).values_list("activity_id", "activity__first_start", "organisation_id", "organisation__name")
    for activity_id, start, pk, name in organisers:
        collector.add_node(organisation_key(pk), ORGANISATION, name)
        members[activity_id].append(organisation_key(pk))
        days[activity_id] = timezone.localdate(start)
    groups = Activity.co_organising_groups.through.objects.filter(
        activity__programme=programme, activity__first_start__lt=until
    ).values_list("activity_id", "activity__first_start", "citizengroup_id", "citizengroup__name")
    for activity_id, start, pk, name in groups:
        collector.add_node(group_key(pk), GROUP, name)
        members[activity_id].append(group_key(pk))
        days[activity_id] = timezone.localdate(start)
    for activity_id, keys in members.items():
        collector.add_clique(keys, ACTIVITY, days[activity_id])


def _collect_referrals(collector: _Collector, programme: Programme, until: datetime) -> None:
    referrals = (
        Referral.objects.filter(programme=programme, created_at__lt=until)
        .exclude(status__in=[Referral.Status.REJECTED, Referral.Status.REVOKED])
        .values_list(
            "created_at", "from_organisation_id", "from_organisation__name",
            "target_organisation_id", "target_organisation__name",
            "target_place__managing_organisation_id", "target_place__managing_organisation__name",
            "target_group_id", "target_group__name",
        )
    )  # fmt: skip
    for row in referrals:
        created_at, from_pk, from_name, org_pk, org_name, place_org_pk, place_org_name, group_pk, group_name = row
        source = organisation_key(from_pk)
        collector.add_node(source, ORGANISATION, from_name)
        if org_pk is not None:
            target = organisation_key(org_pk)
            collector.add_node(target, ORGANISATION, org_name)
        elif place_org_pk is not None:
            target = organisation_key(place_org_pk)
            collector.add_node(target, ORGANISATION, place_org_name)
        elif group_pk is not None:
            target = group_key(group_pk)
            collector.add_node(target, GROUP, group_name)
        else:
            continue  # an external service is not a member of the network
        collector.add_tie(source, target, REFERRAL, timezone.localdate(created_at))


def _collect_pacts(collector: _Collector, programme: Programme, end: date) -> None:
    signatories = (
        Signatory.objects.filter(pact__programme=programme)
        .exclude(kind=Signatory.Kind.BENEFICIARY)
        .annotate(signed_on=Min("pact__versions__signed_on"))
        .filter(signed_on__lte=end)
        .values_list(
            "pact_id", "signed_on", "organisation_id", "organisation__name",
            "place__managing_organisation_id", "place__managing_organisation__name", "group_id", "group__name",
        )
    )  # fmt: skip
    members: dict[int, list[str]] = defaultdict(list)
    days: dict[int, date] = {}
    for pact_id, signed_on, org_pk, org_name, place_org_pk, place_org_name, group_pk, group_name in signatories:
        if org_pk is not None:
            key, kind, name = organisation_key(org_pk), ORGANISATION, org_name
        elif place_org_pk is not None:
            key, kind, name = organisation_key(place_org_pk), ORGANISATION, place_org_name
        elif group_pk is not None:
            key, kind, name = group_key(group_pk), GROUP, group_name
        else:
            continue
        collector.add_node(key, kind, name)
        members[pact_id].append(key)
        days[pact_id] = signed_on
    for pact_id, keys in members.items():
        collector.add_clique(keys, PACT, days[pact_id])


def collect(programme: Programme, period: Period) -> _Collector:
    """Read the ties of `programme` that existed by the end of `period` (six queries)."""
    collector = _Collector()
    until = _end_of(period.end)
    _collect_members(collector, programme)
    _collect_activities(collector, programme, until)
    _collect_referrals(collector, programme, until)
    _collect_pacts(collector, programme, period.end)
    return collector


def build_graph(collector: _Collector, period: Period) -> nx.Graph:
    graph = nx.Graph()
    for key, (kind, name) in collector.names.items():
        graph.add_node(key, kind=kind, name=name)
    for (a, b), counts in collector.counts.items():
        first = collector.first[(a, b)]
        graph.add_edge(
            a, b, weight=sum(counts.values()), counts=dict(counts), first_seen=first,
            is_new=period.start <= first <= period.end,
        )  # fmt: skip
    return graph


def analyse(graph: nx.Graph, period: Period) -> NetworkAnalysis:
    """Metrics and the drawing of a graph built by `build_graph` (separate so tests can hand-build one)."""
    order = sorted(graph.nodes, key=lambda key: (graph.nodes[key]["kind"] != ORGANISATION, graph.nodes[key]["name"]))
    betweenness = nx.betweenness_centrality(graph, normalized=True) if graph.number_of_nodes() > 2 else {}
    centrality = nx.degree_centrality(graph) if graph.number_of_nodes() > 1 else {}
    positions = _circle(len(order))
    max_degree = max((graph.degree(key) for key in order), default=0) or 1
    nodes = []
    for number, key in enumerate(order, start=1):
        degree = graph.degree(key)
        x, y, label_x, label_y, anchor = positions[number - 1]
        nodes.append(
            Node(
                key=key, kind=graph.nodes[key]["kind"], name=graph.nodes[key]["name"], number=number,
                degree=degree, strength=int(graph.degree(key, weight="weight")),
                degree_centrality=round(centrality.get(key, 0.0), 4), betweenness=round(betweenness.get(key, 0.0), 4),
                x=x, y=y, radius=round(NODE_MIN + (NODE_MAX - NODE_MIN) * degree / max_degree, 1),
                label_x=label_x, label_y=label_y, label_anchor=anchor,
            )
        )  # fmt: skip
    where = {node.key: node for node in nodes}
    max_weight = max((data["weight"] for _, _, data in graph.edges(data=True)), default=1)
    edges = []
    ties_by_kind: dict[str, int] = defaultdict(int)
    for a, b, data in graph.edges(data=True):
        source, target = sorted((a, b), key=lambda key: where[key].number)
        for kind in data["counts"]:
            ties_by_kind[kind] += 1
        edges.append(
            Edge(
                source=source, target=target, weight=data["weight"], counts=data["counts"],
                first_seen=data["first_seen"], is_new=data["is_new"],
                x1=where[source].x, y1=where[source].y, x2=where[target].x, y2=where[target].y,
                width=round(EDGE_MIN + (EDGE_MAX - EDGE_MIN) * (data["weight"] - 1) / max(max_weight - 1, 1), 1),
            )
        )  # fmt: skip
    edges.sort(key=lambda edge: (where[edge.source].number, where[edge.target].number))
    return NetworkAnalysis(
        period=period,
        nodes=nodes,
        edges=edges,
        density=round(nx.density(graph), 4) if graph.number_of_nodes() > 1 else 0.0,
        new_ties=sum(1 for edge in edges if edge.is_new),
        ties_by_kind=dict(ties_by_kind),
    )


def _circle(count: int) -> list[tuple[float, float, float, float, str]]:
    """(x, y, label x, label y, label anchor) of `count` points on a circle, the first at the top."""
    centre = SIZE / 2
    points = []
    for index in range(count):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        points.append(
            (
                round(centre + RADIUS * cos, 1),
                round(centre + RADIUS * sin, 1),
                round(centre + LABEL_RADIUS * cos, 1),
                round(centre + LABEL_RADIUS * sin + 4, 1),
                anchor,
            )
        )
    return points


def programme_network(programme: Programme, period: Period) -> NetworkAnalysis:
    """The network of `programme` at the end of `period`, with the ties that are new in it."""
    return analyse(build_graph(collect(programme, period), period), period)
