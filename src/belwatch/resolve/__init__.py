"""Cross-list resolution (which entries are one target) and the gaps between the lists."""

from belwatch.resolve.resolver import Resolution, load_resolution, resolve

__all__ = ["Resolution", "load_resolution", "resolve"]
