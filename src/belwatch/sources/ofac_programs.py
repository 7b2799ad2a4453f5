"""Which OFAC list a file holds. OFAC prints the SDN list and the consolidated (non-SDN) list
in the same layouts (legacy CSV, sdn.xml), so only the entries tell them apart.

Programme tags alone do not: the non-SDN list carries sectoral (SSI) and menu-based (NS-MBS)
targets under SDN programme codes such as UKRAINE-EO13662 and RUSSIA-EO14024, and the SDN
list has a few entries that are also on a non-SDN list (``SDGT] [NS-PLC``). What marks a
non-SDN entry is either non-SDN programmes only, or the directive / menu-based information
that only the sectoral and menu-based lists print. A file is the non-SDN list when most of
its entries are marked so (2025 consolidated list: 438 of 442; SDN lists: under 1%).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SDN = "us_ofac_sdn"
CONS = "us_ofac_cons"

# Tags of the non-SDN lists: NS-PLC, NS-MBS, NS-ISA, (NS-)CMIC, 561-Related, FSE-*, SSI, CAPTA.
NON_SDN_PROGRAM = re.compile(r"^(?:NS-|CMIC|561-?RELATED|FSE-|SSI\b|CAPTA|CAP\b)", re.IGNORECASE)
NON_SDN_MARK = re.compile(
    r"\bDirective\b|Section 235 Information|Executive Order 14059 information", re.IGNORECASE
)


def split_programs(text: str | None) -> list[str]:
    """``BELARUS] [BELARUS-EO14038`` -> both codes, as printed."""
    if not text:
        return []
    return [part.strip(" []") for part in re.split(r"\]\s*\[", text) if part.strip(" []")]


def is_non_sdn(programs: Iterable[str], text: str) -> bool:
    """Does this entry look like a non-SDN listing? ``text`` is its remarks and id types."""
    programs = list(programs)
    if programs and all(NON_SDN_PROGRAM.match(program) for program in programs):
        return True
    return NON_SDN_MARK.search(text) is not None


def decide_dataset(marks: Iterable[bool]) -> str:
    """The dataset of a file from its entries' ``is_non_sdn`` marks."""
    marks = list(marks)
    return CONS if marks and 2 * sum(marks) > len(marks) else SDN
