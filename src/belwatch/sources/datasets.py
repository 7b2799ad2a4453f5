"""The datasets belwatch knows: one per official list, named as OpenSanctions names them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from belwatch.exc import NotFound


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    jurisdiction: str  # who imposes the measures: eu, us, gb, ca, ch, au, jp, ua, un
    authority: str
    url: str  # the publisher's page for the list


DATASETS: dict[str, DatasetInfo] = {
    d.name: d
    for d in (
        DatasetInfo(
            "us_ofac_sdn",
            "US OFAC Specially Designated Nationals (SDN) List",
            "us",
            "Office of Foreign Assets Control",
            "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
        ),
        DatasetInfo(
            "us_ofac_cons",
            "US OFAC Consolidated (non-SDN) Sanctions List",
            "us",
            "Office of Foreign Assets Control",
            "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
        ),
        DatasetInfo(
            "us_trade_csl",
            "US Trade Consolidated Screening List",
            "us",
            "International Trade Administration",
            "https://www.trade.gov/consolidated-screening-list",
        ),
        DatasetInfo(
            "un_sc_sanctions",
            "UN Security Council Consolidated Sanctions List",
            "un",
            "United Nations Security Council",
            "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
        ),
        DatasetInfo(
            "ca_dfatd_sema_sanctions",
            "Canada Consolidated Autonomous Sanctions List (SEMA)",
            "ca",
            "Global Affairs Canada",
            "https://www.international.gc.ca/world-monde/international_relations-relations_internationales/sanctions/consolidated-consolide.aspx",
        ),
        DatasetInfo(
            "gb_hmt_sanctions",
            "UK HM Treasury OFSI Consolidated List",
            "gb",
            "HM Treasury, Office of Financial Sanctions Implementation",
            "https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets",
        ),
        DatasetInfo(
            "gb_fcdo_sanctions",
            "UK FCDO Sanctions List",
            "gb",
            "Foreign, Commonwealth and Development Office",
            "https://www.gov.uk/government/publications/the-uk-sanctions-list",
        ),
        DatasetInfo(
            "eu_fsf",
            "EU Financial Sanctions Files (FSF)",
            "eu",
            "European Commission, DG FISMA",
            "https://data.europa.eu/data/datasets/consolidated-list-of-persons-groups-and-entities-subject-to-eu-financial-sanctions",
        ),
        DatasetInfo(
            "eu_journal_sanctions",
            "EU Official Journal sanctions (Regulation 765/2006, Belarus)",
            "eu",
            "Council of the European Union",
            "https://eur-lex.europa.eu/eli/reg/2006/765/oj",
        ),
        DatasetInfo(
            "ch_seco_sanctions",
            "Swiss SECO Sanctions List",
            "ch",
            "State Secretariat for Economic Affairs (SECO)",
            "https://www.seco.admin.ch/seco/en/home/Aussenwirtschaftspolitik_Wirtschaftliche_Zusammenarbeit/Wirtschaftsbeziehungen/exportkontrollen-und-sanktionen/sanktionen-embargos.html",
        ),
        DatasetInfo(
            "au_dfat_sanctions",
            "Australia DFAT Consolidated Sanctions List",
            "au",
            "Department of Foreign Affairs and Trade",
            "https://www.dfat.gov.au/international-relations/security/sanctions/consolidated-list",
        ),
        DatasetInfo(
            "ua_nsdc_sanctions",
            "Ukraine NSDC State Register of Sanctions",
            "ua",
            "National Security and Defense Council of Ukraine",
            "https://drs.nsdc.gov.ua/",
        ),
        DatasetInfo(
            "jp_mof_sanctions",
            "Japan Belarus end-user list (export ban)",
            "jp",
            "Ministry of Economy, Trade and Industry",
            "https://www.meti.go.jp/policy/anpo/law05.html",
        ),
        DatasetInfo(
            "ftm_import",
            "FollowTheMoney entities imported by a user",
            "",
            "",
            "",
        ),
    )
}

JURISDICTIONS: dict[str, str] = {
    "eu": "European Union",
    "us": "United States",
    "gb": "United Kingdom",
    "ca": "Canada",
    "ch": "Switzerland",
    "au": "Australia",
    "jp": "Japan",
    "ua": "Ukraine",
    "un": "United Nations",
}

COLLECTIONS: dict[str, str] = {
    "sanctions": "Every sanctions list in the register",
    "belarus": "Targets listed under a Belarus regime or programme",
}

# A Sanction whose `program` matches this is under a Belarus regime: OFAC's BELARUS and
# BELARUS-EO14038 programmes, the UK regime "Belarus", EU Regulation 765/2006, Canada's
# Special Economic Measures (Belarus) Regulations, SECO's Belarus ordinance, Japan's list.
BELARUS_PROGRAM = re.compile(r"belarus|bélarus|765/2006|беларус|белорус|ベラルーシ", re.IGNORECASE)
# The sanctions regimes reports can be made for, each by the programmes that belong to it.
REGIMES = {"belarus": BELARUS_PROGRAM}


def get_dataset(name: str) -> DatasetInfo:
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise NotFound(f"unknown dataset {name!r}; known datasets: {known}") from None
