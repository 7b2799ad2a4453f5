"""Closed organisations and "extremist" designations, one per row.

An organisation row (an NGO, a medium, a party, a trade union liquidated or forcibly closed)
becomes the Organization, dissolved on the day, and the liquidation as an Event organised by
the authority that ordered it, on the ground given. A designation row (a Telegram channel or
chat, a medium, a symbol, an organisation branded "extremist") becomes what was designated and
a Sanction by the court that did it, with its entry in the list."""

from __future__ import annotations

from collections.abc import Iterator

from followthemoney import model

from belwatch.register.records import Change
from belwatch.register.rows import Row, make_id, name_id

SHARED = {
    "sources": ("sources", "source", "источники", "источник", "крыніцы", "крыніца"),
    "visibility": ("visibility", "видимость", "бачнасць"),
}
ORGANISATION_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("organisation", "organization", "name", "название", "наименование", "назва",
             "арганізацыя", "организация"),
    "type": ("type", "kind", "тип", "вид", "форма"),
    "registration": ("registrationnumber", "unp", "унп", "регистрационныйномер",
                     "рэгістрацыйнынумар"),
    "liquidated": ("liquidated", "closed", "dateofliquidation", "liquidationdate",
                   "даталиквидации", "даталіквідацыі", "ликвидирована", "ліквідавана"),
    "authority": ("authority", "орган", "кемліквідавана", "ктоликвидировал",
                  "органликвидации"),
    "ground": ("ground", "grounds", "reason", "основание", "падстава", "причина"),
    "city": ("city", "город", "горад"),
    **SHARED,
}  # fmt: skip
EXTREMIST_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("title", "name", "название", "назва", "материал", "матэрыял"),
    "kind": ("kind", "type", "вид", "тип", "категория"),
    "designated": ("designated", "dateofdesignation", "designationdate", "date",
                   "датапризнания", "датапрызнання", "дата"),
    "court": ("court", "суд", "authority", "орган"),
    "entry": ("listentry", "entry", "пунктперечня", "номерварэестры", "номер",
              "запісуспісе", "записьвсписке"),
    "link": ("link", "url", "ссылка", "спасылка"),
    **SHARED,
}  # fmt: skip
ACCOUNTS = ("telegram", "телеграм", "чат", "chat", "channel", "канал", "instagram", "youtube",
            "tiktok", "vk", "вконтакте")  # fmt: skip


def organisation_row(row: Row) -> Iterator[Change]:
    name = row.get("name")
    if not name:
        raise row.fail("no organisation name", "name")
    visibility, _ = row.visibility()
    liquidated = row.day("liquidated")
    organisation = model.make_entity("Organization")
    organisation.id = name_id("org", name, row.get("registration"))
    organisation.add("name", name, cleaned=True)
    organisation.add("legalForm", row.get("type") or None, cleaned=True)
    organisation.add("registrationNumber", row.get("registration") or None, cleaned=True)
    organisation.add("dissolutionDate", liquidated or None, cleaned=True)
    organisation.add("status", "liquidated" if liquidated else None, cleaned=True)
    organisation.add("country", "by", cleaned=True)
    organisation.add("sourceUrl", row.urls(), cleaned=True)
    yield row.change(organisation, visibility)
    event = model.make_entity("Event")
    event.id = make_id("liquidation", organisation.id, liquidated)
    event.add("name", "Liquidation", cleaned=True)
    event.add("date", liquidated or None, cleaned=True)
    event.add("involved", organisation.id, cleaned=True)
    event.add("summary", row.get("ground") or None, cleaned=True)
    event.add("location", row.get("city") or None, cleaned=True)
    if row.get("authority"):
        authority = model.make_entity("PublicBody")
        authority.id = name_id("authority", row.get("authority"))
        authority.add("name", row.get("authority"), cleaned=True)
        authority.add("country", "by", cleaned=True)
        yield row.change(authority, "public", merge=True)
        event.add("organizer", authority.id, cleaned=True)
    yield row.change(event, visibility)


def extremist_row(row: Row) -> Iterator[Change]:
    name = row.get("name")
    if not name:
        raise row.fail("no name of what was designated", "name")
    visibility, _ = row.visibility()
    designated = row.day("designated")
    kind = row.get("kind")
    account = any(word in f"{kind} {row.get('link')}".casefold() for word in ACCOUNTS)
    target = model.make_entity("UserAccount" if account else "LegalEntity")
    target.id = name_id("designated", name, row.get("link"))
    target.add("name", name, cleaned=True)
    if account:
        target.add("service", kind or "Telegram", cleaned=True)
    target.add("sourceUrl", [u for u in (row.get("link"),) if u.startswith("http")], cleaned=True)
    target.add("description", kind or None, cleaned=True)
    yield row.change(target, visibility)
    designation = model.make_entity("Sanction")
    designation.id = make_id("extremist", target.id, designated, row.get("entry"))
    designation.add("entity", target.id, cleaned=True)
    designation.add("program", 'Designated "extremist"', cleaned=True)
    designation.add("authority", row.get("court") or None, cleaned=True)
    designation.add("authorityId", row.get("entry") or None, cleaned=True)
    designation.add("listingDate", designated or None, cleaned=True)
    designation.add("country", "by", cleaned=True)
    designation.add("sourceUrl", row.urls(), cleaned=True)
    yield row.change(designation, visibility)
