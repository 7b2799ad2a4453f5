"""The repression register on hand-built case files headed in Russian and Belarusian: who
may see what, versions and sources, and the designation proposals for the officials the
cases name, some of them really listed (checked in the official files), some invented."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from belwatch.api import create_app
from belwatch.cli import cli
from belwatch.exc import ConfigError, NotFound, SourceError
from belwatch.match.service import Matcher
from belwatch.register import importer
from belwatch.register.officials import NOWHERE, SOME, proposals
from belwatch.register.records import Actor, Repression
from belwatch.settings import Settings
from belwatch.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
RU, BE = FIXTURES / "cases_ru.csv", FIXTURES / "cases_be.csv"
EDITOR = Actor("A. Documenter", "editor")
VIEWER, ADMIN = Actor("A. Reader", "viewer"), Actor("A. Admin", "admin")
# Consent refused in the file: restricted whatever the file's default.
REFUSED = "Кузнецов Игорь Павлович"


@pytest.fixture(scope="module")
def register(real_store_copy: Store) -> Iterator[Repression]:
    repository = Repression(real_store_copy)
    for path in (RU, BE):
        repository.write(EDITOR, importer.read(path, EDITOR.name).changes)
    yield repository


def captions(repository: Repression, actor: Actor, schema: str | None = None) -> set[str]:
    return {r.caption for r in repository.records(actor, schema)}


def test_rows_become_ftm_entities_with_their_sources(register: Repression) -> None:
    people = {r.caption: r for r in register.records(ADMIN, "Person")}
    petrova = people["Петрова Ольга Ивановна"]
    assert petrova.properties["birthDate"] == ["1988-05-12"]  # from 12.05.1988
    assert petrova.properties["gender"] == ["female"]
    assert petrova.visibility == "public" and petrova.consent == "given"
    cases = [r for r in register.records(ADMIN, "CourtCase")
             if "2020-08-15" in r.properties.get("fileDate", [])]  # fmt: skip
    assert len(cases) == 1
    assert cases[0].properties["category"] == ["Art. 342 ч.1"]
    assert cases[0].properties["court"] == ["Центральный районный суд г. Минска"]
    assert "Petrova" not in cases[0].caption and "Петрова" not in cases[0].caption
    [version] = register.history(ADMIN, petrova.id)
    assert version["author"] == "A. Documenter"
    assert version["sources"][0]["url"] == "https://example.org/case/1"
    assert version["sources"][0]["document"] == "cases_ru.csv line 2"
    # Belarusian headers; the judge is one official however each file spells her name.
    judges = [r for r in register.records(ADMIN, "Person") if "Шабуня" in r.caption]
    assert len(judges) == 1
    assert {"Шабуня Виктория Валерьевна", "Шабуня Вікторыя Валер'еўна"} <= set(
        judges[0].properties["name"]
    )


def test_a_restricted_victim_is_invisible_to_a_viewer(register: Repression) -> None:
    admin = {r.caption: r for r in register.records(ADMIN, "Person")}
    refused = admin[REFUSED]
    assert refused.visibility == "restricted"
    for actor in (VIEWER, EDITOR):
        assert REFUSED not in captions(register, actor)
        with pytest.raises(NotFound, match="no record"):
            register.get(actor, refused.id)
        exported = json.dumps(list(register.export(actor)), ensure_ascii=False)
        assert REFUSED not in exported and refused.id not in exported
        # Nor does any link to the person show: the party record, the detention.
        for record in register.records(actor):
            assert refused.id not in json.dumps(record.properties)
    assert register.get(ADMIN, refused.id).caption == REFUSED
    # Internal rows: an editor sees them, a viewer does not.
    assert "Лебедева Дарья Андреевна" in captions(register, EDITOR)
    assert "Лебедева Дарья Андреевна" not in captions(register, VIEWER)


def test_reads_beyond_the_public_records_and_exports_are_audited(register: Repression) -> None:
    from sqlalchemy import func, select

    from belwatch.store.schema import repression_audit_table as audit

    def last() -> tuple[int, tuple[str, str, str, str | None]]:
        with register.store.engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(audit)).scalar_one()
            row = conn.execute(select(audit).order_by(audit.c.id.desc()).limit(1)).one()
        return count, (row.actor, row.role, row.action, row.entity_id)

    before, _ = last()
    register.records(VIEWER, "Person")  # public records only: no row per page view
    assert last()[0] == before
    restricted = next(r for r in register.records(ADMIN, "Person") if r.caption == REFUSED)
    assert last() == (before + 1, ("A. Admin", "admin", "list", None))
    register.get(EDITOR, next(iter(captions_ids(register, EDITOR))))
    assert last()[1][:3] == ("A. Documenter", "editor", "read")
    register.get(ADMIN, restricted.id)
    assert last()[1] == ("A. Admin", "admin", "read", restricted.id)
    list(register.export(VIEWER))
    assert last()[1] == ("A. Reader", "viewer", "export", None)


def captions_ids(repository: Repression, actor: Actor) -> list[str]:
    return [r.id for r in repository.records(actor, "Person")]


def test_a_new_version_only_when_something_changed(register: Repression, tmp_path: Path) -> None:
    again = register.write(EDITOR, importer.read(RU, EDITOR.name).changes)
    assert again["created"] == again["updated"] == 0 and again["unchanged"] > 0
    changed = RU.read_text().replace("действующий", "бывший", 1)
    path = tmp_path / "changed.csv"
    path.write_text(changed)
    counts = register.write(Actor("B. Documenter", "editor"), importer.read(path, "B").changes)
    assert counts["updated"] == 1
    person = next(r for r in register.records(ADMIN, "Person") if r.caption == REFUSED)
    history = register.history(ADMIN, person.id)
    assert [h["properties"]["status"] for h in history] == [["действующий"], ["бывший"]]
    assert [h["author"] for h in history] == ["A. Documenter", "B. Documenter"]


def test_viewers_do_not_write_and_bad_rows_are_named(register: Repression, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="may not write"):
        register.write(VIEWER, importer.read(RU, VIEWER.name).changes)
    bad = tmp_path / "bad.csv"
    bad.write_text("ФИО,Дата задержания\nИванов Иван,32.13.2021\nПетров Пётр,2021-01-01\n")
    with pytest.raises(SourceError, match=r"bad\.csv.*line 2.*detained"):
        importer.read(bad, "me")
    lenient = importer.read(bad, "me", lenient=True)
    assert lenient.rows == 1 and len(lenient.problems) == 1
    headless = tmp_path / "headless.csv"
    headless.write_text("who,when\nx,y\n")
    with pytest.raises(SourceError, match="no name column"):
        importer.read(headless, "me")


@pytest.fixture(scope="module")
def matcher(register: Repression) -> Matcher:
    return Matcher(register.store)


def test_designation_proposals(register: Repression, matcher: Matcher) -> None:
    found = {p.official.caption: p for p in proposals(register, ADMIN, matcher)}
    # Checked in the official files: Kasianchyk is on the EU, UK and Canadian lists, not
    # OFAC's; Shabunya, Dziadkova and Lahunovich on the EU's and the UK's only. The other
    # two officials are invented: listed nowhere.
    expected = {
        "Касьянчик Алина Сергеевна": (SOME, ["ca", "eu", "gb"], ["us"]),
        "Шабуня Виктория Валерьевна": (SOME, ["eu", "gb"], ["ca", "us"]),
        "Дядькова Наталья Анатольевна": (SOME, ["eu", "gb"], ["ca", "us"]),
        "Лагунович Андрей Александрович": (SOME, ["eu", "gb"], ["ca", "us"]),
        "Вересковский Ефим Прокопович": (NOWHERE, [], ["ca", "eu", "gb", "us"]),
        "Синеглазова Прасковья Трофимовна": (NOWHERE, [], ["ca", "eu", "gb", "us"]),
    }
    got = {name: (p.status, p.listed_by, p.not_listed_by) for name, p in found.items()}
    assert got == expected
    assert list(found)[:2] == ["Вересковский Ефим Прокопович", "Синеглазова Прасковья Трофимовна"]
    assert {e.role for e in found["Вересковский Ефим Прокопович"].evidence} == {
        "judge", "prosecutor",
    }  # fmt: skip
    assert len(found["Шабуня Виктория Валерьевна"].evidence) == 3
    # A viewer's proposals hold only public cases: Dziadkova and Kasianchyk's one case is
    # that of the person who refused consent.
    public = {p.official.caption: p for p in proposals(register, VIEWER, matcher)}
    assert "Дядькова Наталья Анатольевна" not in public
    assert len(public["Шабуня Виктория Валерьевна"].evidence) == 1


def test_proposals_are_kept_until_the_register_changes(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    repository, matcher = Repression(store), Matcher(store)
    repository.write(EDITOR, importer.read(RU, EDITOR.name).changes)
    first = proposals(repository, EDITOR, matcher)
    again = proposals(repository, EDITOR, matcher)
    assert again[0] is first[0]  # the kept answer, not screened again
    assert {p.official.caption for p in proposals(repository, VIEWER, matcher)} < {
        p.official.caption for p in first
    }  # each role its own answer
    path = tmp_path / "one.csv"
    path.write_text(RU.read_text(encoding="utf-8").splitlines()[0] + "\n"
                    + "Новый Пётр Ильич,1990-01-01,м,2023-03-01,ст. 342,"
                    "Центральный районный суд г. Минска,Невидимкин Осип Осипович,,,,,,,,"
                    "https://example.org/new\n", encoding="utf-8")  # fmt: skip
    repository.write(EDITOR, importer.read(path, EDITOR.name).changes)
    changed = {p.official.caption for p in proposals(repository, EDITOR, matcher)}
    assert "Невидимкин Осип Осипович" in changed


def test_cli(real_store_copy: Store) -> None:
    runner = CliRunner()
    db = ["--db", real_store_copy.url]
    done = runner.invoke(cli, ["repression-import", str(RU), "--by", "me", *db], obj={}, env={})
    assert done.exit_code == 0, done.output
    listed = runner.invoke(cli, ["proposals", "--by", "me", "--json", *db], obj={}, env={})
    assert listed.exit_code == 0, listed.output
    statuses = {p["official"]["caption"]: p["status"] for p in json.loads(listed.output)}
    assert statuses["Вересковский Ефим Прокопович"] == NOWHERE
    exported = runner.invoke(cli, ["repression-export", "--by", "me", *db], obj={}, env={})
    assert exported.exit_code == 0 and REFUSED not in exported.output
    denied = runner.invoke(cli, ["repression-import", str(RU), "--by", "me", "--role", "viewer",
                                 *db], obj={}, env={})  # fmt: skip
    assert denied.exit_code == 1 and "may not write" in denied.output


def test_closed_organisations_and_extremist_designations(tmp_path: Path) -> None:
    organisations = importer.read(FIXTURES / "organisations_ru.csv", "me")
    assert organisations.layout == "organisations" and organisations.rows == 3
    by_schema: dict[str, list[Any]] = {}
    for change in organisations.changes:
        by_schema.setdefault(change.entity.schema.name, []).append(change.entity)
    club = next(e for e in by_schema["Organization"] if "краеведов" in e.caption)
    assert club.get("dissolutionDate") == ["2021-07-22"] and club.get("status") == ["liquidated"]
    liquidation = next(e for e in by_schema["Event"] if club.id in e.get("involved"))
    ministry = next(e for e in by_schema["PublicBody"] if e.caption == "Министерство юстиции")
    assert liquidation.get("organizer") == [ministry.id]
    assert "нарушение законодательства" in liquidation.get("summary")[0]

    designations = importer.read(FIXTURES / "extremist_be.csv", "me")
    assert designations.layout == "extremist" and designations.rows == 2
    entities = {c.entity.schema.name: c.entity for c in designations.changes}
    sanctions = [c.entity for c in designations.changes if c.entity.schema.name == "Sanction"]
    channel = next(c.entity for c in designations.changes
                   if c.entity.schema.name == "UserAccount")  # fmt: skip
    first = next(s for s in sanctions if s.get("entity") == [channel.id])
    assert first.get("listingDate") == ["2022-03-12"] and first.get("authorityId") == ["1234"]
    assert first.get("authority") == ["Суд Цэнтральнага раёна г. Мінска"]
    assert "LegalEntity" in entities  # the symbol: no account of any service
    # Said to be cases, the organisations file has no name column of a case file.
    with pytest.raises(SourceError, match="no name column for a file of cases"):
        importer.read(FIXTURES / "organisations_ru.csv", "me", kind="cases")


def test_indicators_month_by_month(tmp_path: Path) -> None:
    from belwatch.register.indicators import indicators

    with Store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        repository = Repression(store)
        for name in ("cases_ru.csv", "organisations_ru.csv", "extremist_be.csv"):
            repository.write(EDITOR, importer.read(FIXTURES / name, EDITOR.name).changes)
        every = {s.name: {p.month: p for p in s.points} for s in indicators(repository, ADMIN)}
        public = {s.name: {p.month: p.value for p in s.points}
                  for s in indicators(repository, VIEWER)}  # fmt: skip
    held = every["held"]
    # Detained 2020-08, 2021-01, 2021-06, 2022-02 and 2022-03; released 2022-03 (the same
    # month), 2022-06 and 2022-08.
    assert [
        held[m].value
        for m in (
            "2020-08",
            "2021-01",
            "2021-06",
            "2022-02",
            "2022-03",
            "2022-06",
            "2022-08",
            "2023-01",
        )
    ] == [1, 2, 3, 4, 4, 3, 2, 2]
    assert len(held["2022-03"].records) == 2  # the detention and the release that month
    assert every["liquidated"]["2021-07"].value == 2 and every["liquidated"]["2022-07"].value == 1
    assert every["extremist"]["2022-03"].value == 1
    assert every["cases"]["2021-01"].value == 1
    # A viewer's series count public records only: Petrova and Novikov.
    assert public["held"]["2022-02"] == 2 and public["held"]["2022-08"] == 1


@pytest.fixture(scope="module")
def client(register: Repression, matcher: Matcher) -> Iterator[TestClient]:
    app = create_app(Settings(db=register.store.url), store=register.store)
    app.state.matcher = matcher
    with TestClient(app) as client:
        yield client


def test_the_api_and_pages_show_public_records_only(
    client: TestClient, register: Repression
) -> None:
    refused = next(r for r in register.records(ADMIN, "Person") if r.caption == REFUSED)
    listed = client.get("/repression/records", params={"limit": 1000}).json()
    names = {r["caption"] for r in listed["results"]}
    assert "Петрова Ольга Ивановна" in names
    assert REFUSED not in names and "Лебедева Дарья Андреевна" not in names  # restricted, internal
    assert refused.id not in json.dumps(listed, ensure_ascii=False)
    assert client.get(f"/repression/records/{refused.id}").status_code == 404
    assert client.get("/repression/records", params={"q": "кузнец"}).json()["total"] == 0
    page = client.get("/repression")
    assert "Петрова Ольга Ивановна" in page.text and REFUSED not in page.text
    assert client.get(f"/repression/record/{refused.id}").status_code == 404
    indicators = client.get("/repression/indicators").json()
    held = {p["month"]: p["value"] for p in indicators[0]["points"]}
    assert held["2022-02"] == 2  # Petrova and Novikov: the public ones

    proposals_json = client.get("/repression/proposals").json()
    officials = {p["official"]["caption"]: p for p in proposals_json}
    # Dziadkova and Kasianchyk's only case is that of the person who refused consent.
    assert "Дядькова Наталья Анатольевна" not in officials
    assert officials["Вересковский Ефим Прокопович"]["status"] == NOWHERE
    invented = officials["Вересковский Ефим Прокопович"]["official"]["id"]
    dossier = client.get(f"/repression/officials/{invented}")
    assert dossier.status_code == 200
    text = dossier.text
    assert "Statement of reasons" in text and "Art. 342" in text
    assert "Центральный районный суд г. Минска" in text
    assert "finds this person on none of the lists" in text
    shabunya = officials["Шабуня Виктория Валерьевна"]["official"]["id"]
    listed_page = client.get(f"/repression/officials/{shabunya}").text
    assert 'href="/entity/' in listed_page and "not listed by" in listed_page
    assert client.get("/repression/officials/rr-official-nobody").status_code == 404


def pdf_text(data: bytes, tmp_path: Path) -> str:
    assert data.startswith(b"%PDF-")
    path = tmp_path / "dossier.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True)  # fmt: skip
    return done.stdout


def test_a_dossier_as_pdf_and_as_a_document(
    client: TestClient, register: Repression, tmp_path: Path
) -> None:
    officials = {
        p.official.caption: p.official.id
        for p in proposals(register, ADMIN, Matcher(register.store))
    }
    invented = officials["Вересковский Ефим Прокопович"]
    got = client.get(f"/repression/officials/{invented}/dossier.pdf")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert f'filename="dossier-{invented}.pdf"' in got.headers["content-disposition"]
    text = pdf_text(got.content, tmp_path)
    # The Cyrillic comes out as text (fonts embedded), with every part of the dossier.
    for part in ("Вересковский Ефим Прокопович", "Identifying information",
                 "Statement of reasons", "Центральный районный суд г. Минска", "Evidence",
                 "Sanctions already in force", "Sources", "Page 1 of"):  # fmt: skip
        assert part in text, part
    fonts = subprocess.run(["pdffonts", str(tmp_path / "dossier.pdf")], capture_output=True,
                           check=True, text=True).stdout  # fmt: skip
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded
    document = client.get(f"/repression/officials/{invented}/dossier.html")
    assert document.status_code == 200 and "<nav" not in document.text
    assert "Вересковский Ефим Прокопович" in document.text
    # A viewer gets no dossier of an official whose only case is not public.
    hidden = officials["Дядькова Наталья Анатольевна"]
    assert client.get(f"/repression/officials/{hidden}/dossier.pdf").status_code == 404
    assert client.get(f"/repression/officials/{invented}/dossier.exe").status_code == 422

    runner = CliRunner()
    db = ["--db", register.store.url]
    out = tmp_path / "cli.pdf"
    done = runner.invoke(cli, ["dossier", "вересковский ефим прокопович", "--by", "me",
                               "-o", str(out), *db], obj={}, env={})  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Вересковский" in pdf_text(out.read_bytes(), tmp_path)
    missing = runner.invoke(cli, ["dossier", "Дядькова Наталья Анатольевна", "--by", "me",
                                  "-o", str(tmp_path / "d.html"), *db], obj={}, env={})  # fmt: skip
    assert missing.exit_code == 1 and "no official" in missing.output
    assert not (tmp_path / "d.html").exists()
    wrong = runner.invoke(cli, ["dossier", invented, "--by", "me", "-o", "d.docx", *db],
                          obj={}, env={})  # fmt: skip
    assert wrong.exit_code == 2 and ".pdf or an .html" in wrong.output


def test_signed_in_roles_see_more(client: TestClient, register: Repression) -> None:
    from belwatch import accounts

    accounts.add(register.store, "E. Editor", "an editor's password", "editor")
    accounts.add(register.store, "S. Admin", "an admin's password!", "admin")

    def names() -> set[str]:
        found = client.get("/repression/records", params={"schema": "Person", "limit": 1000})
        return {r["caption"] for r in found.json()["results"]}

    wrong = client.post("/login", data={"name": "E. Editor", "password": "not it at all"})
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text
    assert "Лебедева Дарья Андреевна" not in names()
    editor = {"name": "E. Editor", "password": "an editor's password"}
    signed = client.post("/login", data={**editor, "next": "/repression"}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/repression"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    # Internal records now show, restricted ones still do not.
    assert "Лебедева Дарья Андреевна" in names() and REFUSED not in names()
    assert "E. Editor (editor)" in client.get("/repression").text
    client.post("/logout")
    assert "Лебедева Дарья Андреевна" not in names()
    client.post("/login", data={"name": "S. Admin", "password": "an admin's password!"})
    assert REFUSED in names()
    # Disabled: the next request is a visitor's.
    accounts.change(register.store, "S. Admin", disabled=True)
    assert REFUSED not in names() and "Лебедева Дарья Андреевна" not in names()
    # A sign-in form sent from another site is refused; so is a tampered cookie.
    elsewhere = client.post("/login", data=editor, headers={"Origin": "https://attacker.example"})
    assert elsewhere.status_code == 403
    client.cookies.set("belwatch_session", "e30." + "0" * 64)
    assert "Лебедева Дарья Андреевна" not in names()
    client.cookies.clear()


def test_an_editor_enters_a_case_through_the_form(
    client: TestClient, register: Repression, matcher: Matcher
) -> None:
    judge = "Вересковский Ефим Прокопович"
    case = {"name": "Соколова Вера Петровна", "detained": "05.05.2023", "articles": "342",
            "court": "Московский районный суд г. Бреста", "judge": judge,
            "sources": "https://example.org/form/1", "visibility": "public",
            "consent": "given"}  # fmt: skip
    refused = client.post("/repression/new", data=case)
    assert refused.status_code == 403 and "Sign in as an editor" in refused.text
    from belwatch import accounts

    accounts.add(register.store, "F. Former", "a form filler's pass", "editor")
    client.post("/login", data={"name": "F. Former", "password": "a form filler's pass"})
    try:
        no_source = client.post("/repression/new", data={**case, "sources": "a friend said"})
        assert no_source.status_code == 400 and "Give at least one source" in no_source.text
        bad_day = client.post("/repression/new", data={**case, "detained": "31.02.2023"})
        assert bad_day.status_code == 400 and "is not a date" in bad_day.text
        done = client.post("/repression/new", data=case, follow_redirects=False)
        assert done.status_code == 303
        person_id = done.headers["location"].rsplit("/", 1)[1]
        [version] = register.history(ADMIN, person_id)
        assert version["author"] == "F. Former"
        assert version["sources"][0]["url"] == "https://example.org/form/1"
        # The judge gains the case as evidence.
        found = proposals(register, VIEWER, matcher)
        evidence = next(p.evidence for p in found if p.official.caption == judge)
        assert any(e.date == "2023-05-05" for e in evidence)
    finally:
        client.post("/logout")


def test_closures_designations_and_edits_through_the_forms(
    client: TestClient, register: Repression
) -> None:
    from belwatch import accounts

    accounts.add(register.store, "G. Editor", "another editor's pass", "editor")
    page = client.get("/repression/new", params={"kind": "organisations"})
    assert "Enter a closed organisation" in page.text and "Sign in as an editor" in page.text
    client.post("/login", data={"name": "G. Editor", "password": "another editor's pass"})
    try:
        closed = client.post(
            "/repression/new", params={"kind": "organisations"}, follow_redirects=False,
            data={"name": "Праваабарончы цэнтр «Вясна»", "liquidated": "22.07.2021",
                  "authority": "Министерство юстиции", "ground": "иск Минюста",
                  "sources": "https://example.org/closed/1", "visibility": "public"},
        )  # fmt: skip
        assert closed.status_code == 303, closed.text
        organisation = register.get(VIEWER, closed.headers["location"].rsplit("/", 1)[1])
        assert organisation.schema == "Organization"
        assert organisation.properties["dissolutionDate"] == ["2021-07-22"]
        channel = client.post(
            "/repression/new", params={"kind": "extremist"}, follow_redirects=False,
            data={"name": "Канал «Пример»", "kind": "Telegram channel",
                  "designated": "2022-03-01", "court": "Суд Центрального района г. Минска",
                  "sources": "https://example.org/extremist/1", "visibility": "public"},
        )  # fmt: skip
        assert channel.status_code == 303, channel.text
        account = register.get(VIEWER, channel.headers["location"].rsplit("/", 1)[1])
        assert account.schema == "UserAccount"

        # An edit: a form on version 1, saved as version 2 with its source and author.
        edit_url = f"/repression/record/{organisation.id}/edit"
        form = client.get(edit_url)
        assert form.status_code == 200 and 'name="version" value="1"' in form.text
        assert "Праваабарончы цэнтр «Вясна»" in form.text
        edited = {"name": "Праваабарончы цэнтр «Вясна»\nViasna Human Rights Centre",
                  "dissolutionDate": "2021-07-22", "country": "by", "visibility": "public",
                  "consent": "unknown", "version": "1",
                  "source": "https://example.org/closed/2", "document": "court ruling"}  # fmt: skip
        no_source = client.post(edit_url, data={**edited, "source": ""})
        assert no_source.status_code == 400 and "Give the source" in no_source.text
        saved = client.post(edit_url, data=edited, follow_redirects=False)
        assert saved.status_code == 303, saved.text
        latest = register.get(ADMIN, organisation.id)
        assert latest.version == 2
        assert "Viasna Human Rights Centre" in latest.properties["name"]
        history = register.history(ADMIN, organisation.id)
        assert history[-1]["author"] == "G. Editor"
        assert history[-1]["sources"][0]["url"] == "https://example.org/closed/2"
        # The same form sent again was made on version 1: refused, nothing lost.
        stale = client.post(edit_url, data={**edited, "name": "Something else"})
        assert stale.status_code == 409 and "changed by someone else" in stale.text
        assert register.get(ADMIN, organisation.id).version == 2
        # Refusing consent makes a public record restricted: gone for a viewer.
        hidden = client.post(edit_url, data={**edited, "version": "2", "consent": "refused"},
                             follow_redirects=False)  # fmt: skip
        assert hidden.status_code == 303
        assert register.get(ADMIN, organisation.id).visibility == "restricted"
        with pytest.raises(NotFound):
            register.get(VIEWER, organisation.id)
        # An editor cannot open, for editing, what only an admin may see.
        assert client.get(edit_url).status_code == 404
    finally:
        client.post("/logout")
    assert client.post(edit_url, data={**edited, "version": "3"}).status_code == 404
    record = next(r for r in register.records(VIEWER, "Person"))
    refused = client.post(f"/repression/record/{record.id}/edit",
                          data={**edited, "version": str(record.version)})  # fmt: skip
    assert refused.status_code == 403 and "Sign in as an editor" in refused.text


def test_the_indicators_page_draws_them(client: TestClient) -> None:
    page = client.get("/repression").text
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 2
    held, flows = charts
    assert "<title" in held and "People held" in held and len(re.findall(r'<path d="M', held)) == 1
    assert len(re.findall(r'<path d="M', flows)) == 4  # releases, cases, liquidations, designations
    cases = next(s for s in client.get("/repression/indicators").json() if s["name"] == "cases")
    assert f"New cases ({sum(p['value'] for p in cases['points'])})" in flows
