"""The register: statements with their first and last sighting across list versions."""

from belwatch.store.sql import Store, Version

__all__ = ["Store", "Version"]
