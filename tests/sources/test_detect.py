"""Detection by content: every real file under ../shared/data/sources is recognised as exactly
its own format, and the files that are no supported list raise UnknownFormat.

The table names the parser module (and, for OFAC's side files, the companion role) that owns
each file; the test asserts ``detect`` returns that module's format, by identity, so the
format names each module chose do not matter here.
"""

from __future__ import annotations

import importlib
import importlib.util

import pytest

from belwatch.exc import UnknownFormat
from belwatch.sources import MODULES, SourceFormat, detect

from conftest import SOURCES

NOT_A_LIST = None  # xsd schemas, a format description, OpenSanctions' targets.simple CSV

EXPECTED: dict[str, tuple[str, str | None] | None] = {
    "au_dfat/regulation8_consolidated_2024-12.xlsx": ("au_dfat", None),
    "ca_sema/sema-lmes_2020-04-15.xml": ("ca_sema", None),
    "ca_sema/sema-lmes_2025-09-22.xml": ("ca_sema", None),
    "ch_seco/ch_seco_excerpt_2026-08-15.xml": ("ch_seco", None),
    "eu_fsf/eu_fsf_excerpt_2026-08-05.xml": ("eu_fsf", None),
    "eu_oj_opensanctions/32006R0765_latest.csv": ("eu_oj", None),
    "eu_oj_opensanctions/FORMAT.md": NOT_A_LIST,
    "eu_oj_opensanctions/amendment_32026R1817.csv": ("eu_oj", None),
    "eu_oj_opensanctions/amendment_32026R1846.csv": ("eu_oj", None),
    "jp_meti/list_belarus_tokutei.pdf.txt": ("jp_meti", None),
    "ofac_cons/2025-12-19/cons_add.csv": ("ofac_csv", "add"),
    "ofac_cons/2025-12-19/cons_alt.csv": ("ofac_csv", "alt"),
    "ofac_cons/2025-12-19/cons_comments.csv": ("ofac_csv", "comments"),
    "ofac_cons/2025-12-19/cons_prim.csv": ("ofac_csv", None),
    "ofac_cons/consolidated_sdnxmlformat_2025-06-30.xml": ("ofac_xml", None),
    "ofac_sdn/sdn_2021-08-18.csv": ("ofac_csv", None),
    "ofac_sdn/sdn_2021-12-30.csv": ("ofac_csv", None),
    "ofac_sdn/sdn_2022-12-28.csv": ("ofac_csv", None),
    "ofac_sdn/sdn_2023-12-28.csv": ("ofac_csv", None),
    "ofac_sdn/sdn_2024-05-03.csv": ("ofac_csv", None),
    "ofac_xml/us_excerpt_2026-08-07.xml": ("ofac_xml", None),
    "opensanctions/ua_war_sanctions_targets.simple_2026-03-13.csv": NOT_A_LIST,
    "opensanctions/yente_fixture_t1_entities.ftm.json": ("ftm", None),
    "opensanctions/yente_fixture_zala_entities.ftm.json": ("ftm", None),
    "ua_nsdc/nsdc_register_export_2021-08-17.xlsx": ("ua_nsdc", None),
    "uk/UK_Sanctions_List_2025-04.xlsx": ("gb_ofsi", None),
    "uk_fcdo/uk_excerpt_2026-08-14.xml": ("gb_fcdo", None),
    "un/consolidated_2024-11-30.xml": ("un_sc", None),
    "un/consolidated_2025-10-09.xml": ("un_sc", None),
    "un/consolidated_2025-11-18.xml": ("un_sc", None),
    "un/consolidated_2026-02-27.xml": ("un_sc", None),
    "us_csl/csl_2023-11-30.csv": ("us_csl", None),
    "xsd/ofac_cons_consolidated.xsd": NOT_A_LIST,
    "xsd/ofac_sdn_advanced.xsd": NOT_A_LIST,
    "xsd/un_sc-sanctions.xsd": NOT_A_LIST,
}

# Parsers are written in parallel: detection needs every module of the registry. Skip only
# while a module does not exist yet; a module that exists but fails to import fails the test.
NOT_WRITTEN = [m for m in MODULES if importlib.util.find_spec(f"belwatch.sources.{m}") is None]
pytestmark = pytest.mark.skipif(
    bool(NOT_WRITTEN), reason=f"parser modules not written yet: {', '.join(NOT_WRITTEN)}"
)


def expected_format(module: str, role: str | None) -> SourceFormat:
    loaded = importlib.import_module(f"belwatch.sources.{module}")
    formats: list[SourceFormat] = getattr(loaded, "FORMATS", None) or [loaded.FORMAT]
    [found] = [f for f in formats if f.role == role]
    return found


def real_files() -> set[str]:
    return {str(p.relative_to(SOURCES)) for p in SOURCES.rglob("*") if p.is_file()}


def test_table_covers_every_real_file() -> None:
    assert real_files() == set(EXPECTED)


@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_detect(relpath: str) -> None:
    data = (SOURCES / relpath).read_bytes()
    owner = EXPECTED[relpath]
    if owner is None:
        with pytest.raises(UnknownFormat) as caught:
            detect(data, relpath)
        assert caught.value.file == relpath
        return
    expected = expected_format(*owner)
    found = detect(data, relpath)
    assert found is expected, (
        f"{relpath}: detected {found.name} ({found.parse.__module__}), "
        f"expected {expected.name} ({expected.parse.__module__})"
    )
