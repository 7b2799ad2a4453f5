"""The relationship graph in memory: who owns, directs, employs, is family of or is linked
to whom. Nodes are targets (one node per target the resolver grouped across lists) and
every other entity a link names; edges are the FtM link entities (Ownership, Directorship,
Family, UnknownLink…), each kept with its own id, datasets and share.

Edges are stored column-wise in arrays and indexed by node in both directions (compressed
sparse rows), so a node's edges are one slice away. The ids and captions stay Python
strings: a million companies with three million ownerships take about 0.8 GiB (bench/graph.py
measures it)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from followthemoney import model

# FtM's link schemata, in a fixed order (an edge stores its kind as the index here).
KINDS: tuple[str, ...] = (
    "Ownership", "Directorship", "Employment", "Membership", "Family", "Associate",
    "UnknownLink", "Occupancy", "Representation",
)  # fmt: skip
KIND = {name: number for number, name in enumerate(KINDS)}
OWNERSHIP = KIND["Ownership"]
ENDS = {
    name: (str(model.schemata[name].edge_source), str(model.schemata[name].edge_target))
    for name in KINDS
}
LABEL_PROPS = ("role", "relationship")
PERCENT = re.compile(r"\d+(?:[.,]\d+)?")


def parse_share(values: list[str]) -> float:
    """An ownership's percentage (NaN where the list gives none or no number)."""
    for value in values:
        found = PERCENT.search(value)
        if found:
            share = float(found.group().replace(",", "."))
            if 0 <= share <= 100:
                return share
    return math.nan


@dataclass
class Node:
    id: str
    caption: str
    schema: str
    listed: list[str] = field(default_factory=list)  # jurisdiction codes
    entries: list[str] = field(default_factory=list)  # the register's entity ids
    regimes: list[str] = field(default_factory=list)  # regimes it is listed under (belarus)


@dataclass
class Edge:
    id: str  # the FtM link entity's id
    kind: str  # its schema: Ownership, Family, ...
    source: str  # node ids, in the schema's direction (owner -> asset)
    target: str
    label: str  # the link's role or relationship, else the schema's edge label
    share: float | None = None  # Ownership: percentage, where known
    datasets: list[str] = field(default_factory=list)
    start: str = ""
    end: str = ""


class Network:
    """Nodes and edges, added once, then queried. Queries index the edges on first use."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.captions: list[str] = []
        self.schemata: list[str] = []
        self.listed: dict[int, tuple[str, ...]] = {}  # node -> jurisdictions listing it
        self.entries: dict[int, tuple[str, ...]] = {}  # node -> register entries
        self.regimes: dict[int, tuple[str, ...]] = {}  # node -> regimes it is listed under
        self._src: list[int] = []
        self._dst: list[int] = []
        self._kind: list[int] = []
        self._share: list[float] = []
        self.edge_ids: list[str] = []
        self.labels: list[str] = []
        self.edge_datasets: list[tuple[str, ...]] = []
        self.dates: dict[int, tuple[str, str]] = {}  # edge -> (start, end), where stated
        self._strings: dict[Any, Any] = {}
        self._csr: tuple[npt.NDArray[np.int64], ...] | None = None
        # Filled by the index: what queries read.
        self.src: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self.dst: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self.kind: npt.NDArray[np.int8] = np.zeros(0, dtype=np.int8)
        self.share: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def edge_count(self) -> int:
        return len(self.edge_ids)

    def intern(self, value: Any) -> Any:
        return self._strings.setdefault(value, value)

    def add_node(
        self,
        node_id: str,
        caption: str = "",
        schema: str = "LegalEntity",
        listed: tuple[str, ...] = (),
        entries: tuple[str, ...] = (),
        regimes: tuple[str, ...] = (),
    ) -> int:
        """A node's number; a node added again keeps its number and takes what is new."""
        number = self.index.get(node_id)
        if number is None:
            number = self.index[node_id] = len(self.ids)
            self.ids.append(node_id)
            self.captions.append(caption or node_id)
            self.schemata.append(self.intern(schema))
        elif caption and self.captions[number] == node_id:
            self.captions[number] = caption
        if listed:
            self.listed[number] = tuple(sorted({*self.listed.get(number, ()), *listed}))
        if entries:
            self.entries[number] = tuple(sorted({*self.entries.get(number, ()), *entries}))
        if regimes:
            self.regimes[number] = tuple(sorted({*self.regimes.get(number, ()), *regimes}))
        return number

    def add_edge(
        self,
        edge_id: str,
        kind: str,
        source: str,
        target: str,
        label: str = "",
        share: float = math.nan,
        datasets: tuple[str, ...] = (),
        start: str = "",
        end: str = "",
    ) -> None:
        self._thaw()
        a, b = self.add_node(source), self.add_node(target)
        if start or end:
            self.dates[len(self.edge_ids)] = (start, end)
        self._src.append(a)
        self._dst.append(b)
        self._kind.append(KIND[kind])
        self._share.append(share)
        self.edge_ids.append(edge_id)
        self.labels.append(self.intern(label or model.schemata[kind].edge_label or kind))
        self.edge_datasets.append(self.intern(datasets))
        self._csr = None

    def add_edges(
        self,
        sources: npt.NDArray[np.int64],
        targets: npt.NDArray[np.int64],
        kind: str,
        shares: npt.NDArray[np.float64],
        edge_ids: list[str],
        datasets: tuple[str, ...] = (),
    ) -> None:
        """Many edges between nodes already added (by number), in one call."""
        self._thaw()
        self._src.extend(sources.tolist())
        self._dst.extend(targets.tolist())
        self._kind.extend([KIND[kind]] * len(sources))
        self._share.extend(shares.tolist())
        self.edge_ids.extend(edge_ids)
        label = self.intern(model.schemata[kind].edge_label or kind)
        self.labels.extend([label] * len(sources))
        self.edge_datasets.extend([self.intern(datasets)] * len(sources))
        self._csr = None

    # --- indexes --------------------------------------------------------------------------

    def _index(self) -> tuple[npt.NDArray[np.int64], ...]:
        if self._csr is None:
            count = len(self.ids)
            src = np.asarray(self._src, dtype=np.int32)
            dst = np.asarray(self._dst, dtype=np.int32)
            out_order = np.argsort(src, kind="stable")
            in_order = np.argsort(dst, kind="stable")
            out_ptr = np.searchsorted(src[out_order], np.arange(count + 1))
            in_ptr = np.searchsorted(dst[in_order], np.arange(count + 1))
            self._csr = (out_ptr, out_order.astype(np.int32), in_ptr, in_order.astype(np.int32))
            self.src, self.dst = src, dst
            self.kind = np.asarray(self._kind, dtype=np.int8)
            self.share = np.asarray(self._share, dtype=np.float32)
            # The Python lists were only for adding; the arrays are what queries read.
            self._src, self._dst, self._kind, self._share = [], [], [], []
        return self._csr

    def _thaw(self) -> None:
        """Edges added after a query join those indexed before."""
        if self._csr is not None:
            self._src, self._dst = self.src.tolist(), self.dst.tolist()
            self._kind, self._share = self.kind.tolist(), self.share.tolist()
            self._csr = None

    def freeze(self) -> None:
        """Index the edges now (queries would on first use)."""
        self._index()

    def out_edges(self, node: int) -> list[int]:
        out_ptr, out_order, _, _ = self._index()
        return out_order[out_ptr[node] : out_ptr[node + 1]].tolist()  # type: ignore[no-any-return]

    def in_edges(self, node: int) -> list[int]:
        _, _, in_ptr, in_order = self._index()
        return in_order[in_ptr[node] : in_ptr[node + 1]].tolist()  # type: ignore[no-any-return]

    def edges_of(self, node: int) -> npt.NDArray[np.int32]:
        """A node's edges in both directions, as an array."""
        out_ptr, out_order, in_ptr, in_order = self._index()
        outgoing = out_order[out_ptr[node] : out_ptr[node + 1]]
        incoming = in_order[in_ptr[node] : in_ptr[node + 1]]
        return np.concatenate((outgoing, incoming))

    def edges_from(self, nodes: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
        """Every edge out of these nodes, as an array."""
        out_ptr, out_order, _, _ = self._index()
        if not len(nodes):
            return np.zeros(0, dtype=np.int32)
        return np.concatenate([out_order[out_ptr[n] : out_ptr[n + 1]] for n in nodes.tolist()])

    def degree(self, node: int) -> int:
        out_ptr, _, in_ptr, _ = self._index()
        return int(out_ptr[node + 1] - out_ptr[node] + in_ptr[node + 1] - in_ptr[node])

    # --- reading --------------------------------------------------------------------------

    def number(self, node_id: str) -> int | None:
        return self.index.get(node_id)

    def node(self, number: int) -> Node:
        listed, entries = self.listed.get(number, ()), self.entries.get(number, ())
        return Node(self.ids[number], self.captions[number], self.schemata[number],
                    list(listed), list(entries), list(self.regimes.get(number, ())))  # fmt: skip

    def edge(self, number: int) -> Edge:
        self._index()
        share = float(self.share[number])
        start, end = self.dates.get(number, ("", ""))
        return Edge(
            self.edge_ids[number], KINDS[self.kind[number]], self.ids[self.src[number]],
            self.ids[self.dst[number]], self.labels[number],
            None if math.isnan(share) else round(share, 4),
            list(self.edge_datasets[number]), start, end,
        )  # fmt: skip

    def active(self, edge: int, day: str) -> bool:
        """Was the link in force on that day (not yet sold or left, already begun)?"""
        start, end = self.dates.get(edge, ("", ""))
        return not (end and end[:10] <= day) and not (start and start[:10] > day)

    def memory_bytes(self) -> int:
        """The arrays' size (the Python objects for ids and labels come on top)."""
        arrays: list[npt.NDArray[Any]] = [*self._index(), self.src, self.dst, self.kind, self.share]
        return sum(int(a.nbytes) for a in arrays)
