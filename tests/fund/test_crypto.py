"""Field encryption, blind indexes, key files, key rotation and encrypted backups of the fund,
on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from belwatch.exc import ConfigError, CryptoError, StoreError
from belwatch.fund import cases, crypto, ledger
from belwatch.fund.core import Fund, Staff
from belwatch.fund.crypto import ENCRYPTED, KeyRing, context
from belwatch.fund.schema import (
    aggregate_table,
    applicant_index_table,
    applicant_table,
    case_event_table,
    case_table,
    disbursement_table,
    factor_table,
    metadata,
    programme_table,
    review_table,
    round_table,
    screening_table,
    upload_table,
)
from belwatch.store import Store

from conftest import open_fund

NAME = "Святлана Прыклад"
LATIN = "Sviatlana Pryklad"
ACCOUNT = "LT60 1010 0123 4567 8901"
NOTE = "moved to Vilnius, new address with her sister"
UPLOAD = b"%PDF-1.7 court ruling of " + LATIN.encode()
AT = datetime(2026, 3, 1, 9, 30, 15, 250000)


@pytest.fixture
def fund(store_url: str) -> Iterator[Store]:
    store = open_fund(store_url)
    yield store
    store.close()


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.from_text(KeyRing.generate())


def key_values(text: str) -> list[str]:
    data = json.loads(text)
    return [*data["keys"].values(), data["index"]]


def populate(store: Store, ring: KeyRing) -> None:
    """One application of each kind of record, identity fields encrypted as the fund does."""
    with store.engine.begin() as conn:
        conn.execute(
            insert(programme_table).values(
                id="p1",
                name="Victims of repression",
                kind="victims",
                currency="EUR",
                budget=5_000_000,
                created_at=AT,
            )
        )
        conn.execute(
            insert(round_table).values(
                id="r1",
                programme="p1",
                name="2026 spring",
                opens=date(2026, 3, 1),
                closes=date(2026, 4, 30),
                form="[]",
            )
        )
        identity = {"name": NAME, "latin": LATIN, "phone": "+375 29 000 00 00"}
        conn.execute(
            insert(applicant_table).values(
                id="a1",
                kind="person",
                country="LT",
                identity=ring.encrypt_json(identity, context("fund_applicant", "identity", "a1")),
                created_at=AT,
            )
        )
        conn.execute(
            insert(applicant_index_table).values(
                applicant="a1", token=ring.blind("name-key", "sviatlana pryklad")
            )
        )
        for number, case in enumerate(("c1", "c2"), start=1):
            private = (
                ring.encrypt_json(
                    {"answers": {"story": NOTE}}, context("fund_case", "private", case)
                )
                if case == "c1"
                else ""
            )
            conn.execute(
                insert(case_table).values(
                    id=case,
                    number=number,
                    programme="p1",
                    round="r1",
                    applicant="a1",
                    state="review",
                    step="",
                    requested=150_000,
                    currency="EUR",
                    answers="{}",
                    private=private,
                    created_at=AT,
                    updated_at=AT,
                )
            )
        event_id = conn.execute(
            insert(case_event_table).values(case="c1", at=AT, actor="anna", action="note", note="")
        ).inserted_primary_key[0]
        conn.execute(
            case_event_table.update()
            .where(case_event_table.c.id == event_id)
            .values(note=ring.encrypt(NOTE, context("fund_case_event", "note", event_id)))
        )
        conn.execute(
            insert(case_event_table).values(
                case="c1",
                at=AT,
                actor="anna",
                action="transition",
                from_state="new",
                to_state="review",
                note="",
            )
        )
        conn.execute(
            insert(review_table).values(
                case="c1", reviewer="rita", score=4, recommendation="approve", comment="", at=AT
            )
        )
        conn.execute(
            insert(screening_table).values(
                case="c1",
                subject="applicant",
                at=AT,
                actor="anna",
                result="clear",
                sanctions=0,
                officials=0,
                detail="{}",
            )
        )
        payee = {"name": LATIN, "account": ACCOUNT}
        conn.execute(
            insert(disbursement_table).values(
                id="d1",
                case="c1",
                amount=150_000,
                currency="EUR",
                purpose="rent",
                state="proposed",
                proposed_by="fin",
                proposed_at=AT,
                payee=ring.encrypt_json(payee, context("fund_disbursement", "payee", "d1")),
            )
        )
        conn.execute(
            insert(upload_table).values(
                id="u1",
                case="c1",
                content_type="application/pdf",
                size=len(UPLOAD),
                data=ring.encrypt(UPLOAD, context("fund_upload", "data", "u1")),
                created_at=AT,
                created_by="anna",
            )
        )
        conn.execute(
            insert(factor_table).values(
                id="f1",
                staff="anna",
                kind="totp",
                label="phone",
                secret=ring.encrypt(
                    "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", context("fund_factor", "secret", "f1")
                ),
                last_step=0,
                created_at=AT,
            )
        )
        conn.execute(
            insert(factor_table).values(
                id="f2",
                staff="anna",
                kind="webauthn",
                label="key",
                secret=None,
                credential_id="Y3JlZA",
                public_key=b"\x00\x01\xfe",
                sign_count=3,
                created_at=AT,
            )
        )
        conn.execute(
            insert(aggregate_table).values(
                programme="p1",
                year=2025,
                country="LT",
                state="paid",
                cases=3,
                paid=450_000,
                currency="EUR",
            )
        )
        for n in range(3):
            ledger.append(
                conn, "anna", "caseworker", "read", f"case:c{n}", "fields: identity", at=AT
            )


def read_all(store: Store) -> dict[str, list[dict[str, Any]]]:
    with store.engine.connect() as conn:
        return {
            table.name: [
                row._asdict()
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in crypto.fund_tables()
        }


def read_secrets(store: Store, ring: KeyRing) -> dict[str, Any]:
    """Every encrypted field decrypted, by table.column:key."""
    found: dict[str, Any] = {}
    with store.engine.connect() as conn:
        for table_name, column in ENCRYPTED:
            table = metadata.tables[table_name]
            (pk,) = table.primary_key.columns
            for key, token in conn.execute(select(pk, table.c[column])):
                where = context(table_name, column, key)
                found[where] = ring.decrypt(token, where) if token else token
    return found


# --- keys ----------------------------------------------------------------------------


def test_generated_keys_load_and_stay_out_of_repr(ring: KeyRing) -> None:
    text = KeyRing.generate()
    loaded = KeyRing.from_text(text)
    assert loaded.current == "k1"
    assert loaded.key_ids == ("k1",)
    assert repr(loaded) == "KeyRing(current='k1', keys=['k1'])"
    for value in key_values(text):
        assert len(base64.b64decode(value)) == 32
        assert value not in repr(loaded) and value not in str(loaded)
    assert text != KeyRing.generate()


def write_key_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "fund-keys.json"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_key_file(tmp_path: Path) -> None:
    text = KeyRing.generate()
    path = write_key_file(tmp_path, text)
    assert KeyRing.from_file(path).key_ids == ("k1",)
    assert KeyRing.from_env({"BELWATCH_FUND_KEY_FILE": str(path)}).key_ids == ("k1",)
    assert KeyRing.from_env({"BELWATCH_FUND_KEYS": text}).key_ids == ("k1",)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_key_file_open_to_others_refused(tmp_path: Path, mode: int) -> None:
    text = KeyRing.generate()
    path = write_key_file(tmp_path, text, mode)
    with pytest.raises(ConfigError) as caught:
        KeyRing.from_file(path)
    message = str(caught.value)
    assert str(path) in message and f"chmod 600 {path}" in message
    assert all(value not in message for value in key_values(text))


def test_missing_key_file_and_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read key file .*nothing\.json"):
        KeyRing.from_file(tmp_path / "nothing.json")
    with pytest.raises(ConfigError, match="no fund keys: set BELWATCH_FUND_KEY_FILE"):
        KeyRing.from_env({})
    text = KeyRing.generate()
    both = {
        "BELWATCH_FUND_KEY_FILE": str(write_key_file(tmp_path, text)),
        "BELWATCH_FUND_KEYS": text,
    }
    with pytest.raises(ConfigError, match="keep one"):
        KeyRing.from_env(both)


def bad_text(change: dict[str, Any]) -> str:
    data = json.loads(KeyRing.generate())
    data.update(change)
    return json.dumps(data)


SHORT = base64.b64encode(os.urandom(16)).decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not fund key text"),
        ("[1, 2]", "not fund key text"),
        (bad_text({"keys": {"k1": SHORT}}), "key 'k1' is 16 bytes; AES-256 needs 32"),
        (bad_text({"keys": {}}), "no encryption keys"),
        (bad_text({"index": SHORT}), "the index key is 16 bytes"),
        (bad_text({"index": None}), "no blind-index key"),
        (bad_text({"current": "k7"}), "current key 'k7' is not among the keys"),
        (bad_text({"current": None}), "no current key"),
        (bad_text({"keys": {"k1": "not base64!"}}), "key 'k1' is not base64"),
        (
            bad_text(
                {"keys": {"k.1": base64.b64encode(os.urandom(32)).decode()}, "current": "k.1"}
            ),
            "key id 'k.1' must be",
        ),
    ],
)
def test_bad_key_text_refused(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        KeyRing.from_text(text)
    assert SHORT not in str(caught.value)
    assert caught.value.__context__ is None


def test_index_key_must_differ_from_encryption_keys() -> None:
    data = json.loads(KeyRing.generate())
    data["index"] = data["keys"]["k1"]
    with pytest.raises(ConfigError, match="index key must differ"):
        KeyRing.from_text(json.dumps(data))


# --- fields --------------------------------------------------------------------------


def test_encrypt_round_trip_and_format(ring: KeyRing) -> None:
    where = context("fund_applicant", "identity", "a1")
    token = ring.encrypt(NAME, where)
    version, key_id, body = token.split(".")
    assert (version, key_id) == ("v1", "k1")
    assert len(base64.urlsafe_b64decode(body + "==")) == 12 + len(NAME.encode()) + 16
    assert ring.decrypt(token, where) == NAME.encode()
    assert ring.encrypt(NAME, where) != token  # a fresh nonce every time
    assert ring.decrypt(ring.encrypt(UPLOAD, where), where) == UPLOAD
    value = {"name": NAME, "documents": [{"kind": "passport", "number": "MP1234567"}]}
    assert ring.decrypt_json(ring.encrypt_json(value, where), where) == value
    assert crypto.key_id(token) == "k1"


def test_ciphertext_opens_only_in_its_own_row_and_column(ring: KeyRing) -> None:
    token = ring.encrypt(NAME, context("fund_applicant", "identity", "a1"))
    for elsewhere in (
        context("fund_applicant", "identity", "a2"),
        context("fund_case", "private", "a1"),
    ):
        with pytest.raises(CryptoError, match="failed authentication") as caught:
            ring.decrypt(token, elsewhere)
        assert NAME not in str(caught.value) and token not in str(caught.value)


def test_tampered_tokens_refused(ring: KeyRing) -> None:
    where = context("fund_case_event", "note", 7)
    assert where == "fund_case_event.note:7"
    token = ring.encrypt(NOTE, where)
    prefix, body = token.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=="))
    for index in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
        changed = bytearray(raw)
        changed[index] ^= 1
        forged = f"{prefix}.{base64.urlsafe_b64encode(bytes(changed)).decode().rstrip('=')}"
        with pytest.raises(CryptoError, match="failed authentication"):
            ring.decrypt(forged, where)
    for broken in (
        "",
        "v1.k1",
        "v2" + token[2:],
        token[:20],
        "v1.k1.!!!!",
        f"v1.k 1.{body}",
        f"{prefix}.+{body[1:]}",
    ):
        with pytest.raises(CryptoError, match="not an encrypted field"):
            ring.decrypt(broken, where)
    with pytest.raises(CryptoError, match="under key 'k9', which the fund key ring does not"):
        ring.decrypt(token.replace("v1.k1.", "v1.k9."), where)
    other = KeyRing.from_text(KeyRing.generate())
    with pytest.raises(CryptoError, match="failed authentication"):
        other.decrypt(token, where)


def test_context_only_for_encrypted_columns() -> None:
    with pytest.raises(ValueError, match=r"fund_case\.answers is not an encrypted column"):
        context("fund_case", "answers", "c1")


def test_blind_index(ring: KeyRing) -> None:
    token = ring.blind("name-key", "sviatlana pryklad")
    assert len(token) == 32 and int(token, 16) >= 0
    assert ring.blind("name-key", "sviatlana pryklad") == token
    assert ring.blind("full-name", "sviatlana pryklad") != token
    assert ring.blind("name-key", "sviatlana prykład") != token
    assert KeyRing.from_text(KeyRing.generate()).blind("name-key", "sviatlana pryklad") != token
    # The index key alone decides: a rotated ring finds the same duplicates.
    assert KeyRing.from_text(ring.rotated()).blind("name-key", "sviatlana pryklad") == token
    with pytest.raises(ValueError):
        ring.blind("name:key", "x")


def test_rotated_key_text(ring: KeyRing) -> None:
    where = context("fund_upload", "data", "u1")
    old = ring.encrypt(UPLOAD, where)
    rotated = KeyRing.from_text(ring.rotated())
    assert (rotated.current, rotated.key_ids) == ("k2", ("k1", "k2"))
    assert rotated.decrypt(old, where) == UPLOAD
    assert crypto.key_id(rotated.encrypt(UPLOAD, where)) == "k2"
    again = KeyRing.from_text(rotated.rotated())
    assert (again.current, again.key_ids) == ("k3", ("k1", "k2", "k3"))


# --- rotation ------------------------------------------------------------------------


def test_rotate_reencrypts_every_field(fund: Store, ring: KeyRing) -> None:
    populate(fund, ring)
    before = read_secrets(fund, ring)
    untouched = read_all(fund)
    new = KeyRing.from_text(ring.rotated())
    counts = crypto.rotate(fund, new)
    assert counts == {
        "fund_applicant": 1,
        "fund_case": 1,
        "fund_case_event": 1,
        "fund_disbursement": 1,
        "fund_upload": 1,
        "fund_factor": 1,
    }
    assert crypto.rotate(fund, new) == dict.fromkeys(counts, 0)
    # Only the new key is needed now.
    data = json.loads(new.rotated())
    only_new = KeyRing.from_text(
        json.dumps({"current": "k2", "keys": {"k2": data["keys"]["k2"]}, "index": data["index"]})
    )
    assert read_secrets(fund, only_new) == before
    after = read_all(fund)
    assert after["fund_case"][1]["private"] == ""  # no value stays no value
    assert after["fund_factor"][1]["secret"] is None
    for table_name, column in ENCRYPTED:
        for row in after[table_name]:
            assert not row[column] or row[column].startswith("v1.k2.")
    # Nothing but the encrypted columns changed.
    for table_name, rows in after.items():
        columns = {c for t, c in ENCRYPTED if t == table_name}
        strip = [{k: v for k, v in row.items() if k not in columns} for row in rows]
        assert strip == [
            {k: v for k, v in row.items() if k not in columns} for row in untouched[table_name]
        ]


def test_rotate_refuses_a_moved_ciphertext(fund: Store, ring: KeyRing) -> None:
    populate(fund, ring)
    with fund.engine.begin() as conn:
        stolen = conn.execute(select(case_table.c.private).where(case_table.c.id == "c1"))
        conn.execute(
            case_table.update().where(case_table.c.id == "c2").values(private=stolen.scalar_one())
        )
    with pytest.raises(CryptoError, match=r"fund_case\.private of row c2: a field failed"):
        crypto.rotate(fund, KeyRing.from_text(ring.rotated()))
    with fund.engine.connect() as conn:  # that table's transaction was rolled back whole
        tokens = conn.execute(select(case_table.c.private)).scalars().all()
    assert all(token.startswith("v1.k1.") for token in tokens)


def test_rotating_the_index_key_remakes_every_blind_index(store_url: str, ring: KeyRing) -> None:
    """The same person in Cyrillic and Latin is found a duplicate before and after both keys
    are replaced, and not one token made under the old index key is left anywhere."""
    open_fund(store_url).close()
    fund = Fund(store_url, ring)
    admin, worker = Staff("boss", "admin"), Staff("worker", "caseworker")
    cases.add_programme(fund, admin, "support", "Support", "victims", "EUR", 1_000_000)
    first = cases.intake(fund, worker, "support", {"names": [NAME]})
    second = cases.intake(fund, worker, "support", {"names": [LATIN, "S. Pryklad"]})
    other = cases.intake(fund, worker, "support", {"names": ["Алесь Бяляцкі"]})
    assert [d["id"] for d in cases.duplicates(fund, worker, second)] == [first]
    old_index = index_tokens(fund.store)
    old_tokens = {token for _, token in old_index}
    fund.close()

    new = KeyRing.from_text(ring.rotated(index=True))
    assert (new.current, new.key_ids) == ("k2", ("k1", "k2"))
    assert new.blind("name-key", "pryklad") != ring.blind("name-key", "pryklad")
    with Store(store_url, tables=metadata) as store:
        counts = crypto.rotate(store, new, reindex=True)
    assert counts["fund_applicant"] == 3
    fund = Fund(store_url, new)
    try:
        remade = index_tokens(fund.store)
        assert counts["fund_applicant_index"] == len(remade) == len(old_index)
        assert not old_tokens & {token for _, token in remade}
        assert remade == {(applicant, token) for applicant, names in applicants(fund, new)
                          for token in cases.name_tokens(new, names)}  # fmt: skip
        stored = json.dumps(read_all(fund.store), default=str)
        assert not [token for token in old_tokens if token in stored]
        # Duplicates and the search by name work as before, for old and new applications.
        assert [d["id"] for d in cases.duplicates(fund, worker, second)] == [first]
        assert [d["id"] for d in cases.duplicates(fund, worker, first)] == [second]
        assert cases.duplicates(fund, worker, other) == []
        third = cases.intake(fund, worker, "support", {"names": ["Pryklad Sviatlana"]})
        assert {d["id"] for d in cases.duplicates(fund, worker, third)} == {first, second}
        assert cases.listing(fund, worker, q="Прыклад")[0] == 3
        # Run again under the same keys: the same index, nothing re-encrypted.
        before = index_tokens(fund.store)
        assert crypto.rotate(fund.store, new, reindex=True)["fund_applicant"] == 0
        assert index_tokens(fund.store) == before
    finally:
        fund.close()


def index_tokens(store: Store) -> set[tuple[str, str]]:
    t = applicant_index_table
    with store.engine.connect() as conn:
        return {(row.applicant, row.token) for row in conn.execute(select(t))}


def applicants(fund: Fund, ring: KeyRing) -> list[tuple[str, list[str]]]:
    t = applicant_table
    with fund.store.engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.identity)).all()
    return [(row.id, ring.decrypt_json(row.identity, context("fund_applicant", "identity",
                                                             row.id))["names"])
            for row in rows]  # fmt: skip


# --- backups -------------------------------------------------------------------------


def test_backup_restore_round_trip(store_url: str, ring: KeyRing, tmp_path: Path) -> None:
    target = tmp_path / "fund.backup"
    with open_fund(store_url) as store:
        populate(store, ring)
        before = read_all(store)
        counts = crypto.backup(store, ring, target)
    assert counts["fund_case"] == 2 and counts["fund_ledger"] == 3 and counts["fund_factor"] == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with open_fund(store_url) as store:
        assert crypto.restore(store, ring, target) == counts
        assert read_all(store) == before
        assert read_secrets(store, ring)["fund_upload.data:u1"] == UPLOAD
        assert ledger.verify(store) == []
        # New rows after a restore get fresh ids.
        with store.engine.begin() as conn:
            added = conn.execute(
                insert(case_event_table).values(
                    case="c1", at=AT, actor="anna", action="note", note=""
                )
            ).inserted_primary_key[0]
            ledger.append(conn, "anna", "caseworker", "note", "case:c1")
        assert added == max(row["id"] for row in before["fund_case_event"]) + 1
        assert ledger.verify(store) == []


def test_backup_reveals_nothing(fund: Store, ring: KeyRing, tmp_path: Path) -> None:
    populate(fund, ring)
    target = tmp_path / "fund.backup"
    crypto.backup(fund, ring, target)
    data = target.read_bytes()
    header = json.loads(data.split(b"\n", 1)[0])
    assert header["format"] == "belwatch-fund-backup" and header["key"] == "k1"
    for plain in (
        NAME,
        LATIN,
        ACCOUNT,
        NOTE,
        "Victims of repression",
        "fund_applicant",
        "sviatlana",
        "anna",
    ):
        for encoded in (plain.encode(), plain.encode("utf-16-le")):
            assert encoded not in data
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_restore_under_a_rotated_ring(fund: Store, ring: KeyRing, tmp_path: Path) -> None:
    populate(fund, ring)
    target = tmp_path / "fund.backup"
    crypto.backup(fund, ring, target)
    fund.close()
    with open_fund(fund.url) as store:
        crypto.restore(store, KeyRing.from_text(ring.rotated()), target)
        assert read_secrets(store, ring)["fund_applicant.identity:a1"]


def tampered(original: bytes, how: str) -> bytes:
    header_end = original.index(b"\n") + 1
    data = bytearray(original)
    if how == "body":
        data[header_end + (len(data) - header_end) // 2] ^= 0x40
    elif how == "tag":
        data[-1] ^= 0x01
    elif how == "salt":
        header = json.loads(original[:header_end])
        header["salt"] = header["salt"][::-1]
        return json.dumps(header, separators=(",", ":")).encode() + b"\n" + original[header_end:]
    elif how == "truncated":
        return original[:-100] + original[-16:]
    elif how == "extended":
        return original[:-16] + b"\x00" + original[-16:]
    elif how == "header":
        return b"{}\n" + original[header_end:]
    return bytes(data)


@pytest.mark.parametrize("how", ["body", "tag", "salt", "truncated", "extended", "header"])
def test_tampered_backup_refused(fund: Store, ring: KeyRing, tmp_path: Path, how: str) -> None:
    populate(fund, ring)
    target = tmp_path / "fund.backup"
    crypto.backup(fund, ring, target)
    fund.close()
    target.write_bytes(tampered(target.read_bytes(), how))
    with open_fund(fund.url) as store:
        with pytest.raises(CryptoError):
            crypto.restore(store, ring, target)
        assert all(rows == [] for rows in read_all(store).values())


def test_restore_refuses_other_keys_and_a_full_database(
    fund: Store, ring: KeyRing, tmp_path: Path
) -> None:
    populate(fund, ring)
    target = tmp_path / "fund.backup"
    crypto.backup(fund, ring, target)
    with pytest.raises(StoreError, match="restore needs an empty fund database"):
        crypto.restore(fund, ring, target)
    fund.close()
    with open_fund(fund.url) as store:
        with pytest.raises(CryptoError, match="failed authentication"):
            crypto.restore(store, KeyRing.from_text(KeyRing.generate()), target)
        data = json.loads(KeyRing.generate())
        data["keys"] = {"k5": data["keys"]["k1"]}
        data["current"] = "k5"
        with pytest.raises(CryptoError, match="under key 'k1', which the fund key ring"):
            crypto.restore(store, KeyRing.from_text(json.dumps(data)), target)
        with pytest.raises(ConfigError, match="no backup file"):
            crypto.restore(store, ring, tmp_path / "missing.backup")
        assert all(rows == [] for rows in read_all(store).values())


def test_backup_replaces_the_old_file_whole(fund: Store, ring: KeyRing, tmp_path: Path) -> None:
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "fund.backup"
    crypto.backup(fund, ring, target)
    empty = target.read_bytes()
    populate(fund, ring)
    crypto.backup(fund, ring, target)
    assert target.read_bytes() != empty
    assert [p.name for p in target.parent.iterdir()] == ["fund.backup"]
