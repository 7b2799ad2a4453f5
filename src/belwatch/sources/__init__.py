"""Official list formats: one module each, found by content."""

from __future__ import annotations

import importlib
from functools import cache

from belwatch.exc import UnknownFormat
from belwatch.sources.base import (
    ParseResult,
    SourceFile,
    SourceFormat,
    refuse_xml_declarations,
    refuse_zip_bomb,
)

# Order matters only where two sniffers could both accept a file: the more specific first.
MODULES = (
    "ofac_xml",
    "ofac_csv",
    "us_csl",
    "un_sc",
    "ca_sema",
    "eu_fsf",
    "ch_seco",
    "gb_fcdo",
    "gb_ofsi",
    "au_dfat",
    "ua_nsdc",
    "eu_oj",
    "jp_meti",
    "ftm",
)


@cache
def formats() -> tuple[SourceFormat, ...]:
    found: list[SourceFormat] = []
    for name in MODULES:
        module = importlib.import_module(f"belwatch.sources.{name}")
        found.extend(getattr(module, "FORMATS", None) or [module.FORMAT])
    return tuple(found)


def detect(data: bytes, filename: str = "<data>") -> SourceFormat:
    """The format of a file, decided by its content alone. XML that declares a DTD or
    entities is refused before any parser sees it."""
    refuse_xml_declarations(data, filename)
    refuse_zip_bomb(data, filename)
    for fmt in formats():
        if fmt.sniff(data):
            return fmt
    raise UnknownFormat("content matches no supported list format", file=filename)


__all__ = ["ParseResult", "SourceFile", "SourceFormat", "detect", "formats"]
