"""The relationship graph: ownership, control, family and other links between targets and
the people and companies around them."""

from belwatch.graph.load import build
from belwatch.graph.network import Edge, Network, Node

__all__ = ["Edge", "Network", "Node", "build"]
