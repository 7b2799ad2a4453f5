"""A piece of the graph as files other tools read: GraphML (Gephi, yEd, Cytoscape desktop)
and FtM JSON lines (Aleph, OpenSanctions' tools, belwatch itself)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import orjson
from followthemoney import model

from belwatch.graph.network import ENDS, Edge, Node
from belwatch.graph.queries import Subgraph
from belwatch.store import Store

NODE_KEYS = (("caption", "string"), ("schema", "string"), ("listed", "string"))
EDGE_KEYS = (("kind", "string"), ("label", "string"), ("share", "double"), ("datasets", "string"))


def to_graphml(graph: Subgraph) -> bytes:
    root = ET.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, kind in keys:
            ET.SubElement(root, "key", {"id": f"{scope}_{name}", "for": scope,
                                        "attr.name": name, "attr.type": kind})  # fmt: skip
    element = ET.SubElement(root, "graph", id=graph.root, edgedefault="directed")
    for node in graph.nodes:
        item = ET.SubElement(element, "node", id=node.id)
        _data(item, "node_caption", node.caption)
        _data(item, "node_schema", node.schema)
        _data(item, "node_listed", " ".join(node.listed))
    for edge in graph.edges:
        item = ET.SubElement(element, "edge", id=edge.id, source=edge.source, target=edge.target)
        _data(item, "edge_kind", edge.kind)
        _data(item, "edge_label", edge.label)
        if edge.share is not None:
            _data(item, "edge_share", f"{edge.share:g}")
        _data(item, "edge_datasets", " ".join(edge.datasets))
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _data(parent: ET.Element, key: str, value: str) -> None:
    ET.SubElement(parent, "data", key=key).text = value


def to_ftm(graph: Subgraph, store: Store) -> bytes:
    """The register's own entities for every node and link, with their statements' datasets;
    names quoted in reasons for listing, which no list holds, as entities of their own."""
    entries = [entry for node in graph.nodes for entry in node.entries]
    stored = {str(e.id): e for e in store.entities(entries + [e.id for e in graph.edges],
                                                  current=False)}  # fmt: skip
    lines: list[dict[str, Any]] = []
    for node in graph.nodes:
        if node.entries:
            lines.extend(stored[e].to_dict() for e in node.entries if e in stored)
        else:
            lines.append(_made(node))
    for edge in graph.edges:
        lines.append(stored[edge.id].to_dict() if edge.id in stored else _link(edge, graph))
    return b"".join(orjson.dumps(line) + b"\n" for line in lines)


def _made(node: Node) -> dict[str, Any]:
    entity = model.make_entity(node.schema if node.schema in model.schemata else "LegalEntity")
    entity.id = node.id
    entity.add("name", node.caption)
    return entity.to_dict()


def _link(edge: Edge, graph: Subgraph) -> dict[str, Any]:
    """A tie the reasons for listing state, between the entries of its two ends."""
    first = {node.id: (node.entries or [node.id])[0] for node in graph.nodes}
    entity = model.make_entity(edge.kind)
    entity.id = edge.id
    source, target = ENDS[edge.kind]
    entity.add(source, first.get(edge.source, edge.source))
    entity.add(target, first.get(edge.target, edge.target))
    entity.add("relationship" if edge.kind == "Family" else "role", edge.label)
    return {**entity.to_dict(), "datasets": edge.datasets}
