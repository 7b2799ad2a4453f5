"""OFAC's vocabulary of labelled facts, shared by its list formats.

The legacy CSV packs a target's facts into the semicolon-separated Remarks field
(``DOB 30 Aug 1954; nationality Belarus; Passport MP123 (Belarus) issued ...``); sdn.xml and
the Trade CSL give the same facts as idType/idNumber pairs with the same labels. ``Target``
maps one such item at a time to FtM properties, documents, links and sanction provisions,
and keeps what it does not understand in ``notes`` so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followthemoney import EntityProxy

from belwatch.sources.base import Context, parse_date

# Identity documents: label -> (FtM property, document schema made for each).
DOCUMENTS: dict[str, tuple[str, str]] = {
    "Passport": ("passportNumber", "Passport"),
    "Diplomatic Passport": ("passportNumber", "Passport"),
    "SSN": ("socialSecurityNumber", "Identification"),
    "Italian Fiscal Code": ("taxNumber", "Identification"),
    **{
        label: ("idNumber", "Identification")
        for label in (
            "National ID No.", "Cedula No.", "D.N.I.", "Identification Number", "Personal ID Card",
            "National Foreign ID Number", "C.U.R.P.", "Electoral Registry No.",
            "Credencial electoral", "Travel Document Number", "Residency Number",
            "Birth Certificate Number", "Driver's License No.", "Stateless Person ID Card",
            "Refugee ID Card", "Turkish Identification Number", "Numero de Identidad",
            "Kenyan ID No.", "Cartilla de Servicio Militar Nacional", "I.F.E.",
            "Citizen's Card Number", "C.U.I.", "Tazkira National ID Card",
        )
    },
}  # fmt: skip
# Numbers printed as "NUMBER (Country)": label -> FtM property.
NUMBERS: dict[str, str] = {
    "Tax ID No.": "taxNumber",
    "US FEIN": "taxNumber",
    "NIT #": "taxNumber",
    "R.F.C.": "taxNumber",
    "RUC #": "taxNumber",
    "RIF #": "taxNumber",
    "C.U.I.T.": "taxNumber",
    "RTN": "taxNumber",
    "V.A.T. Number": "vatCode",
    "License": "licenseNumber",
    "Unified Social Credit Code (USCC)": "uscCode",
    "Government Gazette Number": "okpoCode",  # what OFAC prints for the Russian OKPO code
    "Legal Entity Number": "leiCode",
    "D-U-N-S Number": "dunsCode",
    **{
        label: "registrationNumber"
        for label in (
            "Registration Number", "Registration ID", "Business Registration Number",
            "Business Registration Document #", "Commercial Registry Number", "Company Number",
            "UK Company Number", "C.R. No.", "Chamber of Commerce Number",
            "Public Registration Number", "Certificate of Incorporation Number",
            "Trade License No.", "Folio Mercantil No.", "Matricula Mercantil No",
            "Central Registration System Number", "Economic Register Number (CBLS)",
            "Istanbul Chamber of Comm. No.", "Dubai Chamber of Commerce Membership No.",
            "Business Number", "Enterprise Number", "Branch Unit Number", "LE Number",
            "Registered Charity No.",
        )
    },
}  # fmt: skip
# Values taken as printed: label -> FtM property.
FACTS: dict[str, str] = {
    "SWIFT/BIC": "swiftBic",
    "BIK (RU)": "bikCode",  # Company only, like the next two: notes on other schemata
    "ISIN": "isinCode",
    "Equity Ticker": "ticker",
    "Vessel Registration Identification": "imoNumber",
    "MMSI": "mmsi",
    "Website": "website",
    "Email Address": "email",
    "Phone Number": "phone",
    "Telephone": "phone",
    "Organization Type": "sector",
    "Target Type": "classification",
    "Nationality of Registration": "jurisdiction",
    "Aircraft Model": "model",
    "Aircraft Tail Number": "registrationNumber",
    "Aircraft Manufacturer's Serial Number (MSN)": "serialNumber",
    "Aircraft Serial Identification": "serialNumber",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "serialNumber",
    "Former Vessel Flag": "pastFlags",
    "Other Vessel Flag": "flag",
    "Other Vessel Type": "type",
    "Other Vessel Call Sign": "callSign",
}
DATES: dict[str, str] = {
    "Organization Established Date": "incorporationDate",
    "Aircraft Manufacture Date": "buildDate",
    "Vessel Year of Build": "buildDate",
}
_LABEL = re.compile(
    "^("
    + "|".join(
        map(re.escape, sorted([*DOCUMENTS, *NUMBERS, *FACTS, *DATES], key=len, reverse=True))
    )
    + ")(?=$|[ :])"
)

# Facts only a company has: an OFAC entity printing them is made a Company.
_COMPANY = re.compile(r"\b(?:ISIN\b|Equity Ticker\b|BIK \(RU\))")
_ALIAS = re.compile(r"^([afn])\.k\.a\.,?\s+'(.+)'$")
_LINKED = re.compile(r"^\(?Linked To:\s*(.+?)\)?$")
_OPERATOR = re.compile(r"^Aircraft Operator\s+(.+)$")
_WALLET = re.compile(r"^Digital Currency Address - (\S+)\s+(\S+)$")
_SANCTION_DATE = re.compile(r"^(Listing|Effective) Date \(([^)]*)\):?\s+(.+)$")
_PROVISION = re.compile(
    r"^(?:Additional Sanctions Information|Secondary sanctions risk|Transactions Prohibited For"
    r"|CAATSA Section \d+ Information|Executive Order \d+ (?:Directive )?(?:Information"
    r"|Determination)|Purchase/Sales For Divestment Date|IFCA Determination)",
    re.IGNORECASE,
)
_PERSONAL = re.compile(r"^(DOB|POB|nationality|Nationality Country|citizen|Gender)\s+(.+)$")
_DOCUMENT = re.compile(
    r"^(?P<number>.*?)(?:\s+\((?P<country>[^()]+)\))?(?:,?\s+issued\s+(?P<issued>.+?))?"
    r"(?:,?\s+expires\s+(?P<expires>.+?))?$"
)
_DATE = re.compile(r"(?:(?:(?P<day>\d{1,2}) )?(?P<month>[A-Z][a-z]{2}) )?(?P<year>\d{4})")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def ofac_dates(text: str) -> list[str]:
    """ISO dates from OFAC's ``30 Aug 1954``, ``Sep 1938``, ``1946``, ``circa 1951``,
    ``1951 to 1953`` (both ends of a range); [] when nothing is a date."""
    text = re.sub(r"^(?:circa|approximately|between)\s+", "", text.strip(), flags=re.IGNORECASE)
    found = []
    for part in re.split(r"\s+(?:to|and)\s+|(?<=\d{4})\s*-\s*(?=\d{4}\b)", text):
        match = _DATE.fullmatch(part.strip())
        if match and (match.group("month") is None or match.group("month") in _MONTHS):
            day, month, year = match.group("day", "month", "year")
            iso = year if month is None else f"{year}-{_MONTHS[month]:02d}"
            found.append(iso if day is None else f"{iso}-{int(day):02d}")
        elif iso := parse_date(part, ("%Y-%m-%d", "%m/%d/%Y")):
            found.append(iso)
    return found


def entity_schema(kind: str, text: str) -> str:
    """FtM schema for OFAC's target type (``individual``, ``vessel``, ``aircraft``; anything
    else is an entity); ``text`` is the entry's remarks and id types."""
    schema = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}.get(kind.lower())
    return schema or ("Company" if _COMPANY.search(text) else "Organization")


def person_name(printed: str) -> tuple[str, str | None, str | None]:
    """OFAC prints people as ``LAST, First``: the natural-order name, first and last name."""
    if printed.count(",") == 1:
        last, first = (part.strip() for part in printed.split(","))
        if first and last:
            return f"{first} {last}", first, last
    return printed, None, None


def split_remarks(remarks: str) -> list[str]:
    items = [item.strip() for item in remarks.strip().removesuffix(".").split(";")]
    return [re.sub(r"^alt\.\s+", "", item) for item in items if item]


class Target:
    """One listed target under construction: its entity, its Sanction and sub-entities."""

    def __init__(
        self,
        ctx: Context,
        entity: EntityProxy,
        sanction: EntityProxy,
        key: str,
        lookup: Callable[[str], str | None],
    ) -> None:
        self.ctx = ctx
        self.entity = entity
        self.sanction = sanction
        self.key = key
        self.lookup = lookup  # id of the entry printed under a name in the same file
        self.extra: list[EntityProxy] = []
        self.notes: list[str] = []
        self.skip: set[str] = set()  # items already read from their own column

    def put(self, prop: str, value: str | list[str] | None, note: str = "") -> None:
        """Add to the entity, or keep ``note`` when its schema has no such property."""
        if not value:
            return
        if self.entity.schema.get(prop) is None:
            if note:
                self.notes.append(note)
            return
        self.ctx.add(self.entity, prop, value)

    def name(self, printed: str, prop: str = "name") -> None:
        if self.entity.schema.is_a("Person"):
            full, first, last = person_name(printed)
            self.put(prop, full)
            if prop == "name":
                self.put("firstName", first)
                self.put("lastName", last)
        else:
            self.put(prop, printed)

    def remarks(self, remarks: str | None) -> None:
        for item in split_remarks(remarks or ""):
            self.item(item)

    def item(self, text: str) -> None:
        if text in self.skip:
            return
        if match := _ALIAS.match(text):
            self.name(match.group(2), "previousName" if match.group(1) == "f" else "alias")
        elif match := _LINKED.match(text):
            self.link(match.group(1), "Linked To")
        elif match := _OPERATOR.match(text):
            self.link(match.group(1), "Aircraft Operator")
        elif match := _WALLET.match(text):
            self.wallet(match.group(1), match.group(2))
        elif match := _SANCTION_DATE.match(text):
            prop = "listingDate" if match.group(1) == "Listing" else "startDate"
            self.ctx.add(self.sanction, prop, ofac_dates(match.group(3)))
            self.ctx.add(self.sanction, "provisions", text)
        elif _PROVISION.match(text):
            self.ctx.add(self.sanction, "provisions", text)
        elif match := _PERSONAL.match(text):
            self.personal(match.group(1), match.group(2), text)
        else:
            self.labelled(text)

    def personal(self, label: str, value: str, text: str) -> None:
        if label == "DOB":
            self.date("birthDate", value, text)
        elif label == "POB":
            self.put("birthPlace", value, text)
        elif label == "Gender":
            self.put("gender", value.lower(), text)
        elif self.entity.schema.is_a("Person"):
            self.put("citizenship" if label == "citizen" else "nationality", value)
        else:
            self.put("country", value, text)

    def date(self, prop: str, value: str, text: str) -> None:
        dates = ofac_dates(value)
        if dates:
            self.put(prop, dates, text)
        else:
            self.notes.append(text)

    def labelled(self, text: str) -> None:
        found = _LABEL.match(text)
        if found is None:
            self.notes.append(text)
            return
        label = found.group(1)
        value = text[len(label) :].strip(" :")
        if value.startswith("IMO "):  # "Identification Number IMO 5342883", "Company Number IMO .."
            self.put("imoNumber", value, text)
        elif label in DATES:
            self.date(DATES[label], value, text)
        elif label in FACTS:
            self.put(FACTS[label], value, text)
        elif label in NUMBERS:
            self.identifier(label, NUMBERS[label], None, value, text)
        else:
            self.identifier(label, *DOCUMENTS[label], value, text)

    def identifier(
        self, label: str, prop: str, document: str | None, value: str, text: str
    ) -> None:
        match = _DOCUMENT.match(value)
        assert match is not None  # the pattern matches any text
        number, country = match.group("number").strip(), match.group("country")
        if not number:
            self.notes.append(text)
            return
        self.put(prop, number, text)
        if country in ("Russia", "RU"):
            # Russian tax and state registration numbers have their own FtM properties.
            if prop == "taxNumber" and re.fullmatch(r"\d{10}|\d{12}", number):
                self.put("innCode", number)
            if prop == "registrationNumber" and re.fullmatch(r"\d{13}|\d{15}", number):
                self.put("ogrnCode", number)
        if document is None or not self.entity.schema.is_a("LegalEntity"):
            return
        doc = self.ctx.make(document, self.key, "id", label, number)
        self.ctx.add(doc, "holder", self.entity.id)
        self.ctx.add(doc, "number", number)
        self.ctx.add(doc, "type", label)
        self.ctx.add(doc, "country", country)
        self.ctx.add(doc, "startDate", ofac_dates(match.group("issued") or ""))
        self.ctx.add(doc, "endDate", ofac_dates(match.group("expires") or ""))
        self.extra.append(doc)

    def address(self, address: EntityProxy, full: str, country: str | None) -> None:
        """Give the target an Address entity made for it."""
        self.put("addressEntity", address.id)
        self.put("address", full)
        self.put("country", country)
        self.extra.append(address)

    def wallet(self, currency: str, address: str) -> None:
        wallet = self.ctx.make("CryptoWallet", self.key, "wallet", currency, address)
        self.ctx.add(wallet, "publicKey", address)
        self.ctx.add(wallet, "currency", currency)
        self.ctx.add(wallet, "holder", self.entity.id)
        self.extra.append(wallet)

    def link(self, name: str, relation: str) -> None:
        """Relate the target to another entry of the same file, or keep the name in notes."""
        other = self.lookup(name)
        if other is None or other == self.entity.id:
            self.notes.append(f"{relation}: {name}")
            return
        if relation == "Vessel owner":
            link = self.ctx.make("Ownership", self.key, "owner", other)
            self.ctx.add(link, "owner", other)
            self.ctx.add(link, "asset", self.entity.id)
        elif relation == "Aircraft Operator" and self.entity.schema.get("operator"):
            self.ctx.add(self.entity, "operator", other)
            return
        else:
            link = self.ctx.make("UnknownLink", self.key, "linked", other)
            self.ctx.add(link, "subject", self.entity.id)
            self.ctx.add(link, "object", other)
        self.ctx.add(link, "role", relation)
        self.extra.append(link)

    def entities(self) -> list[EntityProxy]:
        self.ctx.add(self.entity, "notes", "; ".join(self.notes) if self.notes else None)
        return [self.entity, self.sanction, *self.extra]
