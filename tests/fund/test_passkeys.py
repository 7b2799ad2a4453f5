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
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from belwatch.api import create_app
from belwatch.exc import ConfigError
from belwatch.fund import crypto, ledger, passkeys, totp
from belwatch.fund import staff as fund_staff
from belwatch.fund.core import Fund
from belwatch.fund.crypto import KeyRing
from belwatch.fund.schema import factor_table, passkey_challenge_table, passkey_table
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


# --- challenges kept in the database ------------------------------------------------------


def test_a_challenge_put_by_one_process_is_taken_by_another_once(store_url: str) -> None:
    clock = Clock()
    ring = KeyRing.from_text(KeyRing.generate())
    one, other = Fund(store_url, ring, clock=clock), Fund(store_url, ring, clock=clock)
    try:
        given = passkeys.put_challenge(one, "session-a", "authenticate")
        taken = passkeys.take_challenge(other, "session-a", "authenticate")
        assert taken is not None and taken.challenge == given
        assert passkeys.take_challenge(other, "session-a", "authenticate") is None
        assert passkeys.take_challenge(one, "session-a", "authenticate") is None
        # One per session and ceremony: a new one replaces the old; others are apart.
        passkeys.put_challenge(one, "session-a", "register", b"handle")
        newer = passkeys.put_challenge(other, "session-a", "register", b"handle")
        assert passkeys.take_challenge(one, "session-b", "register") is None
        assert passkeys.take_challenge(one, "session-a", "authenticate") is None
        taken = passkeys.take_challenge(one, "session-a", "register")
        assert taken == passkeys.Challenge(newer, b"handle")
        # Expired after five minutes: refused, and cleared by the next one handed out.
        passkeys.put_challenge(one, "session-a", "authenticate")
        passkeys.put_challenge(one, "session-c", "authenticate")
        clock.tick(5 * 60 + 1)
        assert passkeys.take_challenge(other, "session-a", "authenticate") is None
        passkeys.put_challenge(other, "session-d", "authenticate")
        assert open_challenges(one) == [("session-d", "authenticate")]
        # Many processes answering at once: exactly one gets the challenge.
        for round_ in range(10):
            passkeys.put_challenge(one, f"race-{round_}", "authenticate")
            assert sorted(race([one, other], f"race-{round_}")) == [False, True]
    finally:
        one.close()
        other.close()


def race(funds: list[Fund], session: str) -> list[bool]:
    """Each fund takes the session's challenge at the same moment: which got it."""
    start = threading.Barrier(len(funds))

    def take(fund: Fund) -> bool:
        start.wait()
        return passkeys.take_challenge(fund, session, "authenticate") is not None

    with ThreadPoolExecutor(len(funds)) as pool:
        return list(pool.map(take, funds))


def open_challenges(fund: Fund) -> list[tuple[str, str]]:
    t = passkey_challenge_table
    with fund.store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(t.c.session, t.c.ceremony))]


def test_a_ceremony_begun_on_one_server_process_ends_on_another(desk: Desk) -> None:
    """Two apps, each with its own Fund on the one database, as two workers behind a
    balancer: every request of a ceremony may reach either."""
    second = Fund(desk.fund.store.url, desk.fund.ring, clock=desk.clock)
    app = create_app(Settings(db=desk.app.state.store.url), store=desk.app.state.store)
    app.state.fund = second
    try:
        desk.hire("chief", "admin")
        here = desk.sign_in("chief")
        there = TestClient(app)
        there.headers.update({"origin": ORIGIN})
        there.cookies.update(here.cookies)
        key = SoftAuthenticator()
        options = here.post(BEGIN.format("register")).json()
        made = there.post(FINISH.format("register"), json={"credential": key.create(options)})
        assert made.status_code == 200, made.text
        options = there.post(BEGIN.format("authenticate")).json()
        answer = {"credential": key.get(options)}
        assert here.post(FINISH.format("authenticate"), json=answer).status_code == 200
        replayed = there.post(FINISH.format("authenticate"), json=answer)
        assert replayed.status_code == 401 and "start again" in replayed.text
    finally:
        second.close()


# --- one's own passkeys -------------------------------------------------------------------


def passkey_ids(client: TestClient) -> dict[str, str]:
    listed = client.get("/fund/api/passkeys")
    assert listed.status_code == 200, listed.text
    return {p["label"]: p["id"] for p in listed.json()}


def test_staff_list_rename_and_remove_their_own_passkeys(desk: Desk) -> None:
    desk.hire("chief", "admin")
    laptop, token = SoftAuthenticator(), SoftAuthenticator()
    chief = desk.sign_in("chief")
    assert add_passkey(chief, laptop, label="laptop").status_code == 200
    desk.clock.tick(60)
    assert add_passkey(chief, token, label="security key").status_code == 200
    listed = chief.get("/fund/api/passkeys")
    assert [p["label"] for p in listed.json()] == ["laptop", "security key"]
    assert {tuple(sorted(p)) for p in listed.json()} == {
        ("created_at", "id", "label", "last_used_at")
    }
    for secret in (laptop, token):  # neither the credential nor its public key
        assert b64url(secret.credential_id) not in listed.text
    ids = passkey_ids(chief)
    # Last used: when it last proved a session.
    desk.clock.tick(3600)
    later = desk.sign_in("chief")
    assert use_passkey(later, token).status_code == 200
    used = {p["label"]: p["last_used_at"] for p in later.get("/fund/api/passkeys").json()}
    assert used["security key"] == desk.clock.now.isoformat()
    assert used["laptop"] < used["security key"]
    # Renaming and removing ask for a factor proven in the last five minutes.
    renamed = later.post(f"/fund/api/passkeys/{ids['laptop']}/rename", json={"label": "old mac"})
    assert renamed.status_code == 200, renamed.text
    desk.clock.tick(6 * 60)
    for stale in (later.post(f"/fund/api/passkeys/{ids['laptop']}/rename", json={"label": "x"}),
                  later.post(f"/fund/api/passkeys/{ids['laptop']}/remove")):  # fmt: skip
        assert stale.status_code == 403 and "again" in stale.text
    assert use_passkey(later, laptop).status_code == 200
    elsewhere = desk.sign_in("chief")  # perhaps with the key that is lost
    removed = later.post(f"/fund/api/passkeys/{ids['security key']}/remove")
    assert removed.json() == {"passkey": ids["security key"], "removed": True,
                              "sessions_ended": 1}  # fmt: skip
    assert passkey_ids(later) == {"old mac": ids["laptop"]}
    assert elsewhere.post(BEGIN.format("authenticate")).status_code == 401  # ended with it
    last = later.post(f"/fund/api/passkeys/{ids['laptop']}/remove")
    assert last.status_code == 409 and "admin keeps one passkey" in last.text
    # The removed passkey signs in no more.
    gone = use_passkey(desk.sign_in("chief"), token)
    assert gone.status_code == 401 and "not a passkey of this account" in gone.text
    # Each change is in the ledger: which passkey, never its name.
    for action in ("mfa.passkey.rename", "mfa.passkey.remove"):
        entries = desk.actions(action)
        assert len(entries) == 1 and entries[0].object == "staff:chief"
    assert desk.actions("mfa.passkey.remove")[0].detail == f"factor:{ids['security key']}"
    assert "old mac" not in str(ledger.entries(desk.fund.store, limit=1000))
    assert ledger.verify(desk.fund.store) == []


def test_another_persons_passkey_is_not_found_like_one_that_does_not_exist(desk: Desk) -> None:
    desk.hire("chief", "admin")
    desk.hire("deputy", "admin")
    chief, deputy = desk.sign_in("chief"), desk.sign_in("deputy")
    assert add_passkey(chief, SoftAuthenticator()).status_code == 200
    assert add_passkey(deputy, SoftAuthenticator()).status_code == 200
    assert add_passkey(deputy, SoftAuthenticator(), label="spare").status_code == 200
    theirs = passkey_ids(chief)["laptop"]
    for change, body in (("rename", {"label": "mine now"}), ("remove", None)):
        answers = {(r.status_code, r.text) for r in (
            deputy.post(f"/fund/api/passkeys/{theirs}/{change}", json=body),
            deputy.post(f"/fund/api/passkeys/0123456789abcdef01234567/{change}", json=body),
        )}  # fmt: skip
        assert len(answers) == 1 and answers.pop()[0] == 404
    assert passkey_ids(chief) == {"laptop": theirs}
    # Nor is a factor of one's own that is not a passkey (an authenticator app's) one.
    desk.hire("reader", "reviewer")
    reader = desk.sign_in("reader")
    secret = reader.post("/fund/mfa/totp/start").json()["secret"]
    desk.clock.tick()
    reader.post("/fund/mfa/totp/confirm", json={"code": totp.code(secret, desk.clock())})
    with desk.fund.store.engine.connect() as conn:
        app_factor = conn.execute(select(factor_table.c.id).where(
            factor_table.c.staff == "reader")).scalar_one()  # fmt: skip
    assert reader.post(f"/fund/api/passkeys/{app_factor}/remove").status_code == 404


def test_everyone_keeps_a_second_factor(desk: Desk) -> None:
    desk.hire("reader", "reviewer")
    reader = desk.sign_in("reader")
    assert add_passkey(reader, SoftAuthenticator(), label="phone").status_code == 200
    phone = passkey_ids(reader)["phone"]
    only = reader.post(f"/fund/api/passkeys/{phone}/remove")
    assert only.status_code == 409 and "only second factor" in only.text
    # With an authenticator app beside it, the passkey may go.
    secret = reader.post("/fund/mfa/totp/start").json()["secret"]
    desk.clock.tick()
    confirmed = reader.post(
        "/fund/mfa/totp/confirm", json={"code": totp.code(secret, desk.clock())}
    )
    assert confirmed.status_code == 200
    assert reader.post(f"/fund/api/passkeys/{phone}/remove").status_code == 200
    assert fund_staff.factor_kinds(desk.fund, "reader") == {"totp"}
    assert reader.get("/fund/api/passkeys").json() == []


def test_the_passkey_page_renames_and_removes(desk: Desk) -> None:
    desk.hire("chief", "admin")
    chief = desk.sign_in("chief")
    first, second = SoftAuthenticator(), SoftAuthenticator()
    assert add_passkey(chief, first, label="laptop").status_code == 200
    assert add_passkey(chief, second, label="phone").status_code == 200
    ids = passkey_ids(chief)
    page = chief.get("/fund/passkey")
    assert "Last used" in page.text and 'action="/fund/passkey/' in page.text
    assert b64url(first.credential_id) not in page.text
    renamed = chief.post(f"/fund/passkey/{ids['laptop']}/rename", data={"label": "work laptop"})
    assert renamed.status_code == 200 and "Rename work laptop" in renamed.text
    assert str(renamed.url).endswith("/fund/passkey")
    removed = chief.post(f"/fund/passkey/{ids['phone']}/remove")
    assert removed.status_code == 200 and "Remove phone" not in removed.text
    last = chief.post(f"/fund/passkey/{ids['laptop']}/remove")
    assert last.status_code == 409 and "admin keeps one passkey" in last.text
    assert last.headers["cache-control"] == "no-store"
    forged = chief.post(f"/fund/passkey/{ids['laptop']}/rename", data={"label": "x"},
                        headers={"origin": "https://evil.example"})  # fmt: skip
    assert forged.status_code == 403
    desk.clock.tick(6 * 60)
    stale = chief.get("/fund/passkey")
    assert "Rename" not in stale.text and "use your passkey again" in stale.text
    refused = chief.post(f"/fund/passkey/{ids['laptop']}/rename", data={"label": "y"})
    assert refused.status_code == 403 and "again" in refused.text
    assert passkey_ids(chief) == {"work laptop": ids["laptop"]}


# --- the relying party from the settings --------------------------------------------------


def test_the_relying_party_and_origin_from_settings(tmp_path: Path) -> None:
    """Behind a proxy that ends TLS and passes requests on over http: the passkeys are for
    the origin and relying party id set, not for the address the request reached, and
    requests from any other origin are refused, the one the request reached included."""
    origin = "https://fund.example.org"
    fund = Fund(f"sqlite:///{tmp_path / 'fund.db'}", KeyRing.from_text(KeyRing.generate()))
    register = Store(f"sqlite:///{tmp_path / 'register.db'}")
    settings = Settings(db=register.url, fund_origin=origin, fund_rp_id="example.org")
    app = create_app(settings, store=register)
    app.state.fund = fund
    try:
        fund_staff.add(fund, None, "chief", PASSWORD, "admin")
        client = TestClient(app, base_url="http://fund.example.org")
        client.headers.update({"origin": origin})
        signed = client.post("/fund/login", json={"name": "chief", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        key = SoftAuthenticator()
        options = client.post(BEGIN.format("register")).json()
        assert options["rp"]["id"] == "example.org"
        reached = key.create(options, origin="http://fund.example.org")
        refused = client.post(FINISH.format("register"), json={"credential": reached})
        assert refused.status_code == 401 and "not accepted" in refused.text
        assert add_passkey(client, key, origin=origin).status_code == 200
        for other in ("http://fund.example.org", "https://other.example.org"):
            forged = client.post(BEGIN.format("authenticate"), json={}, headers={"origin": other})
            assert forged.status_code == 403 and "own pages" in forged.text, other
        options = client.post(BEGIN.format("authenticate")).json()
        assert options["rpId"] == "example.org"
        answer = {"credential": key.get(options, origin=origin)}
        assert client.post(FINISH.format("authenticate"), json=answer).status_code == 200
        assert client.get("/fund/api/passkeys").status_code == 200
    finally:
        fund.close()
        register.close()


def test_the_relying_party_settings_are_checked() -> None:
    assert Settings.from_env({}).fund_origin is None  # the Host of each request, as before
    both = Settings.from_env({"BELWATCH_FUND_ORIGIN": "https://Fund.Example.org:443/",
                              "BELWATCH_FUND_RP_ID": "example.org"})  # fmt: skip
    assert (both.fund_origin, both.fund_rp_id) == ("https://fund.example.org", "example.org")
    alone = Settings.from_env({"BELWATCH_FUND_ORIGIN": "https://fund.example.org:8443"})
    assert (alone.fund_origin, alone.fund_rp_id) == ("https://fund.example.org:8443",
                                                     "fund.example.org")  # fmt: skip
    local = Settings.from_env({"BELWATCH_FUND_ORIGIN": "http://localhost:8000"})
    assert local.fund_rp_id == "localhost"
    for env, message in (
        ({"BELWATCH_FUND_ORIGIN": "fund.example.org"}, "is not an origin"),
        ({"BELWATCH_FUND_ORIGIN": "https://fund.example.org/fund"}, "no path"),
        ({"BELWATCH_FUND_ORIGIN": "http://fund.example.org"}, "https only"),
        ({"BELWATCH_FUND_ORIGIN": "https://fund.example.org", "BELWATCH_FUND_RP_ID": "evil.org"},
         "nor a domain it belongs to"),
        ({"BELWATCH_FUND_ORIGIN": "https://fund.example.org",
          "BELWATCH_FUND_RP_ID": "ample.org"}, "nor a domain it belongs to"),
        ({"BELWATCH_FUND_RP_ID": "example.org"}, "needs BELWATCH_FUND_ORIGIN"),
    ):  # fmt: skip
        with pytest.raises(ConfigError, match=message):
            Settings.from_env(env)


# --- a new blind-index key ----------------------------------------------------------------


def test_passkeys_sign_in_after_the_index_key_is_replaced(desk: Desk) -> None:
    """A passkey keeps the user handle it was made with; one made before handles were kept
    (derived from the index key) has it kept before the index key is replaced."""
    desk.hire("chief", "admin")
    desk.hire("deputy", "admin")
    chiefs, deputys = SoftAuthenticator(), SoftAuthenticator()
    assert add_passkey(desk.sign_in("chief"), chiefs).status_code == 200
    assert add_passkey(desk.sign_in("deputy"), deputys).status_code == 200
    old = desk.fund.ring
    # The deputy's passkey as a fund made before fund_passkey had it: its handle derived.
    unkeep_handle(desk, "deputy")
    derived = bytes.fromhex(old.blind("webauthn-user", "deputy"))
    deputys.user_handle = derived
    assert use_passkey(desk.sign_in("deputy"), deputys).status_code == 200
    assert unkeep_handle(desk, "deputy") == derived  # kept once it signed in
    new = KeyRing.from_text(old.rotated(index=True))
    with pytest.raises(ConfigError, match="keep_user_handles"):
        crypto.rotate(desk.fund.store, new, reindex=True)
    assert passkeys.keep_user_handles(desk.fund.store, old) == 1
    assert passkeys.keep_user_handles(desk.fund.store, old) == 0
    crypto.rotate(desk.fund.store, new, reindex=True)
    desk.fund.close()
    desk.fund = desk.app.state.fund = Fund(desk.fund.store.url, new, clock=desk.clock)
    try:
        for name, key in (("chief", chiefs), ("deputy", deputys)):
            client = desk.sign_in(name)
            assert use_passkey(client, key).status_code == 200, name
            # Another passkey of the account gets the same handle.
            options = client.post(BEGIN.format("register")).json()
            assert unb64url(options["user"]["id"]) == key.user_handle
    finally:
        desk.fund.close()


def unkeep_handle(desk: Desk, name: str) -> bytes:
    """Take away the kept user handle of the account's passkey; the handle it had."""
    t, f = passkey_table, factor_table
    theirs = select(f.c.id).where(f.c.staff == name)
    with desk.fund.store.engine.begin() as conn:
        handle = conn.execute(select(t.c.user_handle).where(t.c.factor.in_(theirs))).scalar_one()
        conn.execute(delete(t).where(t.c.factor.in_(theirs)))
    return bytes(handle)
