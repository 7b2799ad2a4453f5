"""Passkeys over HTTP, on SQLite and PostgreSQL, with a software authenticator that answers
as a real one does (ECDSA P-256, "none" attestation, a signature counter), checked by the
WebAuthn library itself: adding and using a passkey, and what an attacker would try —
another site's origin or name, a replayed, expired or borrowed challenge, a cloned key
whose counter goes back, another account's key, an admin without one, and a password alone
adding a factor to an account that has one."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy import select

from belwatch.api import create_app
from belwatch.fund import ledger, totp
from belwatch.fund import staff as fund_staff
from belwatch.fund.core import Fund
from belwatch.fund.crypto import KeyRing
from belwatch.fund.schema import factor_table
from belwatch.settings import Settings
from belwatch.store import Store

from conftest import Clock

ORIGIN = "http://testserver"
PASSWORD = "a long staff password"
BEGIN = "/fund/mfa/webauthn/{}/begin"
FINISH = "/fund/mfa/webauthn/{}/finish"
# Authenticator data flags (WebAuthn §6.1): user present, user verified, attested data.
UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """A passkey in software, made and used as a platform authenticator does: an ECDSA P-256
    key, "none" attestation, user present and verified, a signature counter. It takes the
    JSON options of the begin routes and gives the JSON a page posts to the finish routes."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0
        self.user_handle: bytes | None = None

    def create(
        self,
        options: dict[str, Any],
        origin: str = ORIGIN,
        rp_id: str | None = None,
        verified: bool = True,
    ) -> dict[str, Any]:
        """What navigator.credentials.create() would return for these options."""
        self.user_handle = unb64url(options["user"]["id"])
        numbers = self.key.public_key().public_numbers()
        cose_key = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                                -3: numbers.y.to_bytes(32, "big")})  # fmt: skip
        attested = (bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id
                    + cose_key)  # fmt: skip
        data = self._data(rp_id or options["rp"]["id"], verified, AT) + attested
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": data})
        return self._credential({"clientDataJSON": b64url(client_data),
                                 "attestationObject": b64url(attestation),
                                 "transports": ["internal"]})  # fmt: skip

    def get(
        self,
        options: dict[str, Any],
        origin: str = ORIGIN,
        rp_id: str | None = None,
        counter: int | None = None,
        verified: bool = True,
    ) -> dict[str, Any]:
        """What navigator.credentials.get() would return; the counter moves on by one
        unless told what to say."""
        self.counter = self.counter + 1 if counter is None else counter
        data = self._data(rp_id or options["rpId"], verified)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signed = data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return self._credential({
            "clientDataJSON": b64url(client_data), "authenticatorData": b64url(data),
            "signature": b64url(signature),
            "userHandle": b64url(self.user_handle) if self.user_handle else None,
        })  # fmt: skip

    def _data(self, rp_id: str, verified: bool, flags: int = 0) -> bytes:
        flags |= UP | (UV if verified else 0)
        rp_hash = hashlib.sha256(rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + self.counter.to_bytes(4, "big")

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}).encode()  # fmt: skip

    def _credential(self, response: dict[str, Any]) -> dict[str, Any]:
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id),
                "type": "public-key", "authenticatorAttachment": "platform",
                "clientExtensionResults": {}, "response": response}  # fmt: skip


def add_passkey(
    client: TestClient, key: SoftAuthenticator, label: str = "laptop", **answer: Any
) -> Any:
    """Run the registration ceremony: begin, answer with `key`, finish."""
    options = client.post(BEGIN.format("register"))
    if options.status_code != 200:
        return options
    credential = key.create(options.json(), **answer)
    return client.post(FINISH.format("register"), json={"credential": credential, "label": label})


def use_passkey(client: TestClient, key: SoftAuthenticator, **answer: Any) -> Any:
    """Run the authentication ceremony: begin, answer with `key`, finish."""
    options = client.post(BEGIN.format("authenticate"))
    if options.status_code != 200:
        return options
    credential = key.get(options.json(), **answer)
    return client.post(FINISH.format("authenticate"), json={"credential": credential})


@dataclass
class Desk:
    """A fund with its app, a clock to move, and a way to sign staff in."""

    fund: Fund
    clock: Clock
    app: Any

    def client(self) -> TestClient:
        client = TestClient(self.app)
        client.headers.update({"origin": ORIGIN})
        return client

    def hire(self, name: str, role: str) -> None:
        fund_staff.add(self.fund, None, name, PASSWORD, role)

    def sign_in(self, name: str, code: str = "", status: str | None = None) -> TestClient:
        client = self.client()
        signed = client.post("/fund/login", json={"name": name, "password": PASSWORD,
                                                  "code": code})  # fmt: skip
        assert signed.status_code == 200, signed.text
        if status is not None:
            assert signed.json()["second_factor"] == status
        return client

    def sign_count(self, key: SoftAuthenticator) -> int:
        t = factor_table
        query = select(t.c.sign_count).where(t.c.credential_id == b64url(key.credential_id))
        with self.fund.store.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def actions(self, action: str) -> list[ledger.Entry]:
        return ledger.entries(self.fund.store, action=action)


@pytest.fixture
def desk(store_url: str, tmp_path: Path) -> Iterator[Desk]:
    clock = Clock()
    fund = Fund(store_url, KeyRing.from_text(KeyRing.generate()), clock=clock)
    register = Store(f"sqlite:///{tmp_path / 'register.db'}")
    app = create_app(Settings(db=register.url), store=register)
    app.state.fund = fund
    yield Desk(fund, clock, app)
    fund.close()
    register.close()


def test_an_admin_adds_a_passkey_then_signs_in_with_it(desk: Desk) -> None:
    desk.hire("chief", "admin")
    first = desk.sign_in("chief", status="to set up")
    assert first.get("/fund/api/staff").status_code == 403
    key = SoftAuthenticator()
    added = add_passkey(first, key)
    assert added.status_code == 200, added.text
    assert first.get("/fund/api/staff").status_code == 200
    # Later: the password, then the passkey; the password alone opens nothing.
    desk.clock.tick(3600)
    later = desk.sign_in("chief", status="passkey to prove")
    refused = later.get("/fund/api/staff")
    assert refused.status_code == 403 and "passkey" in refused.text
    proven = use_passkey(later, key)
    assert proven.status_code == 200, proven.text
    assert later.get("/fund/api/staff").status_code == 200
    assert desk.sign_count(key) == 1
    page = later.get("/fund/passkey")
    assert page.status_code == 200 and "laptop" in page.text
    assert page.headers["cache-control"] == "no-store"
    # Both ceremonies are in the ledger, which still verifies.
    assert [e.detail for e in desk.actions("mfa.passkey.add")] == [
        f"factor:{added.json()['passkey']}"
    ]
    assert len(desk.actions("mfa.webauthn")) == 2
    assert ledger.verify(desk.fund.store) == []


def test_another_sites_origin_or_name_and_an_unverified_user_are_refused(desk: Desk) -> None:
    desk.hire("chief", "admin")
    client = desk.sign_in("chief")
    key = SoftAuthenticator()
    for answer in ({"origin": "https://fund.example.evil"}, {"origin": "http://testserver:8080"},
                   {"rp_id": "evil.example"}, {"verified": False}):  # fmt: skip
        refused = add_passkey(client, key, **answer)
        assert refused.status_code == 401 and "not accepted" in refused.text, answer
    assert client.get("/fund/api/staff").status_code == 403
    assert add_passkey(client, key).status_code == 200
    later = desk.sign_in("chief")
    for answer in ({"origin": "https://fund.example.evil"}, {"rp_id": "evil.example"},
                   {"verified": False}):  # fmt: skip
        refused = use_passkey(later, key, **answer)
        assert refused.status_code == 401 and "not accepted" in refused.text, answer
    assert later.get("/fund/api/staff").status_code == 403
    assert len(desk.actions("mfa.passkey.refused")) == 7
    assert use_passkey(later, key).status_code == 200


def test_a_challenge_is_used_once_expires_and_belongs_to_its_session(desk: Desk) -> None:
    desk.hire("chief", "admin")
    key = SoftAuthenticator()
    assert add_passkey(desk.sign_in("chief"), key).status_code == 200
    mine, theirs = desk.sign_in("chief"), desk.sign_in("chief")
    # Replayed: the same answer twice.
    options = mine.post(BEGIN.format("authenticate")).json()
    answer = {"credential": key.get(options)}
    assert mine.post(FINISH.format("authenticate"), json=answer).status_code == 200
    replayed = mine.post(FINISH.format("authenticate"), json=answer)
    assert replayed.status_code == 401 and "start again" in replayed.text
    # Another session's challenge, answered in this one: refused; its own session may.
    options = mine.post(BEGIN.format("authenticate")).json()
    theirs.post(BEGIN.format("authenticate"))
    answer = {"credential": key.get(options)}
    borrowed = theirs.post(FINISH.format("authenticate"), json=answer)
    assert borrowed.status_code == 401 and "challenge" in borrowed.text
    assert theirs.get("/fund/api/staff").status_code == 403
    assert mine.post(FINISH.format("authenticate"), json=answer).status_code == 200
    # Expired: five minutes after it was given.
    options = theirs.post(BEGIN.format("authenticate")).json()
    desk.clock.tick(5 * 60 + 1)
    late = theirs.post(FINISH.format("authenticate"), json={"credential": key.get(options)})
    assert late.status_code == 401 and "expired" in late.text
    # The same for registration: an expired challenge makes no passkey.
    newcomer = SoftAuthenticator()
    desk.hire("deputy", "admin")
    deputy = desk.sign_in("deputy")
    options = deputy.post(BEGIN.format("register")).json()
    desk.clock.tick(5 * 60 + 1)
    late = deputy.post(FINISH.format("register"), json={"credential": newcomer.create(options)})
    assert late.status_code == 401 and "expired" in late.text
    assert deputy.get("/fund/api/staff").status_code == 403


def test_a_counter_going_back_is_refused(desk: Desk) -> None:
    desk.hire("chief", "admin")
    key = SoftAuthenticator()
    assert add_passkey(desk.sign_in("chief"), key).status_code == 200
    client = desk.sign_in("chief")
    assert use_passkey(client, key, counter=5).status_code == 200
    for counter in (3, 5):  # a copy of the key, used after the original moved on
        cloned = use_passkey(desk.sign_in("chief"), key, counter=counter)
        assert cloned.status_code == 401 and "sign count" in cloned.text
    assert desk.sign_count(key) == 5
    assert use_passkey(desk.sign_in("chief"), key, counter=6).status_code == 200
    # An authenticator that keeps no counter (always 0) is let be.
    desk.hire("deputy", "admin")
    uncounted = SoftAuthenticator()
    assert add_passkey(desk.sign_in("deputy"), uncounted).status_code == 200
    for _ in range(2):
        assert use_passkey(desk.sign_in("deputy"), uncounted, counter=0).status_code == 200


def test_another_accounts_passkey_is_refused(desk: Desk) -> None:
    desk.hire("chief", "admin")
    desk.hire("deputy", "admin")
    chiefs, deputys = SoftAuthenticator(), SoftAuthenticator()
    assert add_passkey(desk.sign_in("chief"), chiefs).status_code == 200
    assert add_passkey(desk.sign_in("deputy"), deputys).status_code == 200
    deputy = desk.sign_in("deputy")
    stolen = use_passkey(deputy, chiefs)
    assert stolen.status_code == 401 and "not a passkey of this account" in stolen.text
    assert deputy.get("/fund/api/staff").status_code == 403
    # Nor may another account claim a passkey that is registered already.
    desk.hire("third", "admin")
    taken = add_passkey(desk.sign_in("third"), chiefs)
    assert taken.status_code == 409
    assert use_passkey(deputy, deputys).status_code == 200


def test_an_admin_with_only_totp_reaches_nothing_but_the_passkey_pages(desk: Desk) -> None:
    desk.hire("chief", "admin")
    client = desk.sign_in("chief")
    secret = client.post("/fund/mfa/totp/start").json()["secret"]
    desk.clock.tick()
    confirmed = client.post(
        "/fund/mfa/totp/confirm", json={"code": totp.code(secret, desk.clock())}
    )
    assert confirmed.status_code == 200
    cases = client.get("/fund/api/cases")
    assert cases.status_code == 403 and "passkey" in cases.text
    routes = [(method.upper(), re.sub(r"\{[^}]+\}", "x", path))
              for path, methods in desk.app.openapi()["paths"].items()
              if path.startswith("/fund/api/") for method in methods]  # fmt: skip
    assert len(routes) > 20
    let_through = [f"{m} {p}: {r.status_code}" for m, p in routes
                   if (r := client.request(m, p)).status_code != 403
                   or "passkey" not in r.text]  # fmt: skip
    assert not let_through
    assert client.get("/fund/passkey").status_code == 200
    # Signing in again takes the code, then the passkey the admin adds.
    desk.clock.tick()
    again = desk.sign_in("chief", code=totp.code(secret, desk.clock()), status="to set up")
    key = SoftAuthenticator()
    assert add_passkey(again, key).status_code == 200
    assert again.get("/fund/api/staff").status_code == 200


def test_adding_a_second_passkey_asks_for_the_first_again(desk: Desk) -> None:
    desk.hire("chief", "admin")
    first, second = SoftAuthenticator(), SoftAuthenticator()
    client = desk.sign_in("chief")
    assert add_passkey(client, first).status_code == 200
    desk.clock.tick(10 * 60)
    stale = add_passkey(client, second)
    assert stale.status_code == 403 and "again" in stale.text
    assert use_passkey(client, first).status_code == 200
    assert add_passkey(client, second, label="security key").status_code == 200
    # A password alone adds no factor to an account that has one: neither a passkey nor an
    # authenticator app (someone who learnt the password would otherwise get in).
    thief = desk.sign_in("chief", status="passkey to prove")
    assert add_passkey(thief, SoftAuthenticator()).status_code == 403
    assert thief.post("/fund/mfa/totp/start").status_code == 403
    # Either passkey proves the account.
    assert use_passkey(thief, second).status_code == 200
    assert thief.get("/fund/api/staff").status_code == 200
    staff_list = {s["name"]: s for s in thief.get("/fund/api/staff").json()}
    assert staff_list["chief"]["mfa"] is True
    assert len(desk.actions("mfa.passkey.add")) == 2


def test_other_staff_may_use_a_passkey_instead_of_a_code(desk: Desk) -> None:
    desk.hire("reader", "reviewer")
    key = SoftAuthenticator()
    client = desk.sign_in("reader", status="to set up")
    assert add_passkey(client, key, label="phone").status_code == 200
    assert client.get("/fund/api/cases").status_code == 200
    later = desk.sign_in("reader", status="passkey to prove")
    assert later.get("/fund/api/cases").status_code == 403
    assert later.post("/fund/mfa/totp/start").status_code == 403
    assert use_passkey(later, key).status_code == 200
    assert later.get("/fund/api/cases").status_code == 200
    assert fund_staff.factor_kinds(desk.fund, "reader") == {"webauthn"}
    # Unsafe routes take requests from the fund's own pages only.
    forged = later.post(BEGIN.format("authenticate"), json={},
                        headers={"origin": "https://evil.example"})  # fmt: skip
    assert forged.status_code == 403 and "own pages" in forged.text
    assert desk.client().post(BEGIN.format("authenticate")).status_code == 401
