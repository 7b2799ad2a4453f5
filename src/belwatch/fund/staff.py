"""Staff of the fund and how they sign in: a password (scrypt, lock-outs after repeated
failures, one answer for every refusal), then a second factor, which every staff account
must set up before doing anything else: a passkey for admins (passkeys.py), TOTP or a
passkey for everyone else; no SMS or e-mail. Changing factors or exporting asks for both
again within five minutes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from belwatch import accounts, sessions
from belwatch.exc import ConfigError, Forbidden
from belwatch.fund import policy, totp
from belwatch.fund.core import ROLES, Fund, Staff
from belwatch.fund.crypto import context
from belwatch.fund.schema import factor_table, passkey_table, session_proof_table, staff_table
from belwatch.register.records import Actor

REAUTH = timedelta(minutes=5)
REFUSED = "Wrong name, password or code."
FACTORS = ("totp", "webauthn")


@dataclass(frozen=True)
class Signed:
    """A signed-in staff member's session: who, and what the session has proven."""

    staff: Staff
    session: str  # account_session.id
    factor: str  # the second factor the session proved: "", totp or webauthn
    reauth_at: datetime | None

    @property
    def mfa(self) -> bool:
        """Proven as the role requires: admins with a passkey, everyone else with either."""
        if self.staff.role == "admin":
            return self.factor == "webauthn"
        return self.factor in ("totp", "webauthn")

    def recent(self, now: datetime) -> bool:
        return self.reauth_at is not None and now - self.reauth_at <= REAUTH


def add(fund: Fund, who: Staff | None, name: str, password: str, role: str) -> None:
    """A staff account (by an admin, or from the command line when `who` is None)."""
    if who is not None:
        policy.check(who, "staff.manage")
    if role not in ROLES:
        raise ConfigError(f"unknown fund role {role!r}; known: {', '.join(ROLES)}")
    by = Actor(who.name if who else "command line", "admin")
    accounts.add(fund.store, name, password, "viewer", by=by)
    with fund.store.engine.begin() as conn:
        conn.execute(insert(staff_table).values(name=name, role=role, created_at=fund.clock()))
        fund.log(conn, who or Staff("command line", "admin"), "staff.add", f"staff:{name}", role)


def set_disabled(fund: Fund, who: Staff, name: str, disabled: bool) -> None:
    """Disable (every session of the account ends at once) or enable a staff account."""
    policy.check(who, "staff.manage")
    if name == who.name:
        raise Forbidden("an admin may not disable their own account")
    accounts.change(fund.store, name, disabled=disabled, by=Actor(who.name, "admin"))
    with fund.store.engine.begin() as conn:
        fund.log(conn, who, "staff.disable" if disabled else "staff.enable", f"staff:{name}")


def reset_factors(fund: Fund, who: Staff, name: str) -> int:
    """Remove every second factor of a staff member (a lost phone or key) and end their
    sessions: at the next sign-in they set one up again. Never one's own."""
    policy.check(who, "staff.manage")
    if name == who.name:
        raise Forbidden("ask another admin to reset your own factors")
    if fund.staff(name) is None:
        raise ConfigError(f"there is no staff member {name!r}")
    with fund.store.engine.begin() as conn:
        theirs = select(factor_table.c.id).where(factor_table.c.staff == name)
        conn.execute(delete(passkey_table).where(passkey_table.c.factor.in_(theirs)))
        removed = conn.execute(delete(factor_table).where(factor_table.c.staff == name)).rowcount
        fund.log(conn, who, "mfa.reset", f"staff:{name}", f"{removed} factors removed")
    sessions.end_all(fund.store, name, f"factors reset by {who.name}", fund.clock())
    return int(removed)


def end_session(fund: Fund, who: Staff, session_id: str) -> bool:
    policy.check(who, "staff.manage")
    ended = sessions.end(fund.store, session_id, f"ended by {who.name}")
    with fund.store.engine.begin() as conn:
        fund.log(conn, who, "session.end", f"session:{session_id[:12]}")
    return ended


def listing(fund: Fund, who: Staff) -> list[dict[str, object]]:
    policy.check(who, "staff.manage")
    with fund.store.engine.connect() as conn:
        factors = {row.staff for row in conn.execute(
            select(factor_table.c.staff).where(factor_table.c.kind.in_(FACTORS)))}  # fmt: skip
        rows = conn.execute(select(staff_table).order_by(staff_table.c.name)).all()
    known = {a.name: a for a in accounts.listing(fund.store)}
    return [{"name": r.name, "role": r.role, "mfa": r.name in factors,
             "disabled": known[r.name].disabled if r.name in known else True,
             "sessions": [s.id for s in sessions.open_sessions(fund.store, r.name)]}
            for r in rows]  # fmt: skip


def factor_kinds(fund: Fund, name: str) -> set[str]:
    """The kinds of second factor an account has set up (totp, webauthn); pending ones
    are not factors yet."""
    query = select(factor_table.c.kind).where(
        factor_table.c.staff == name, factor_table.c.kind.in_(FACTORS)
    )
    with fund.store.engine.connect() as conn:
        return {str(kind) for kind in conn.execute(query).scalars()}


def has_factor(fund: Fund, name: str) -> bool:
    """Whether the account has an authenticator app, whose code signing in then asks for."""
    query = select(factor_table.c.id).where(
        factor_table.c.staff == name, factor_table.c.kind == "totp"
    )
    with fund.store.engine.connect() as conn:
        return conn.execute(query).first() is not None


def sign_in(
    fund: Fund, name: str, password: str, code: str, address: str, user_agent: str = ""
) -> str | None:
    """A new session token, or None alike for every refusal. With a factor set up, the
    code must be right; without one, the session may only set one up."""
    now = fund.clock()
    actor = accounts.sign_in(fund.store, name, password, address, now)
    staff = fund.staff(name) if actor is not None else None
    if actor is None or staff is None:
        return None
    proven = False
    if has_factor(fund, name):
        if not _check_code(fund, name, code, now):
            return None
        proven = True
    token = sessions.start(fund.store, actor, user_agent, now)
    with fund.store.engine.begin() as conn:
        conn.execute(insert(session_proof_table).values(
            session=sessions.token_id(token), mfa_at=now if proven else None,
            factor="totp" if proven else "", reauth_at=now if proven else None,
        ))  # fmt: skip
        fund.log(conn, staff, "sign-in", "", "with second factor" if proven else "factor to set up")
    return token


def _check_code(fund: Fund, name: str, code: str, now: datetime) -> bool:
    with fund.store.engine.begin() as conn:
        query = select(factor_table).where(
            factor_table.c.staff == name, factor_table.c.kind == "totp"
        )
        rows = conn.execute(query).all()
        for row in rows:
            secret = fund.ring.decrypt(row.secret, context("fund_factor", "secret", row.id))
            step = totp.check(secret.decode(), code, now, row.last_step)
            if step is not None:
                conn.execute(update(factor_table).where(factor_table.c.id == row.id)
                             .values(last_step=step))  # fmt: skip
                return True
    return False


def session(fund: Fund, token: str) -> Signed | None:
    """The signed-in staff member a session token belongs to (None: signed out, expired,
    ended, disabled, or no longer staff)."""
    actor = sessions.find(fund.store, token, fund.clock())
    staff = fund.staff(actor.name) if actor is not None else None
    if staff is None:
        return None
    session_id = sessions.token_id(token)
    with fund.store.engine.connect() as conn:
        proof = conn.execute(
            select(session_proof_table).where(session_proof_table.c.session == session_id)
        ).first()
    if proof is None:
        return None
    return Signed(staff, session_id, proof.factor if proof.mfa_at else "", proof.reauth_at)


def start_totp(fund: Fund, signed: Signed) -> tuple[str, str]:
    """A new TOTP secret to enrol (a session that has a factor must re-authenticate first);
    returns the secret and its otpauth:// URI for an authenticator app. An account with a
    factor of any kind asks for it again first: a password alone adds no factor to it."""
    if factor_kinds(fund, signed.staff.name) and not signed.recent(fund.clock()):
        raise Forbidden("enter your password and code again before changing your factors")
    secret = totp.new_secret()
    factor_id = secrets.token_hex(12)
    with fund.store.engine.begin() as conn:
        conn.execute(delete(factor_table).where(factor_table.c.staff == signed.staff.name,
                                                factor_table.c.kind == "totp-pending"))  # fmt: skip
        conn.execute(insert(factor_table).values(
            id=factor_id, staff=signed.staff.name, kind="totp-pending", label="authenticator app",
            secret=fund.ring.encrypt(secret, context("fund_factor", "secret", factor_id)),
            sign_count=0, last_step=0, created_at=fund.clock(),
        ))  # fmt: skip
        fund.log(conn, signed.staff, "mfa.start", f"staff:{signed.staff.name}")
    return secret, totp.uri(secret, signed.staff.name)


def confirm_totp(fund: Fund, signed: Signed, code: str) -> None:
    """Make the pending secret the factor once a code from it is right; the session counts
    as proven from then on. Any earlier TOTP factor is replaced."""
    now = fund.clock()
    with fund.store.engine.begin() as conn:
        row = conn.execute(select(factor_table).where(
            factor_table.c.staff == signed.staff.name,
            factor_table.c.kind == "totp-pending")).first()  # fmt: skip
        if row is None:
            raise Forbidden("start setting up an authenticator first")
        secret = fund.ring.decrypt(row.secret, context("fund_factor", "secret", row.id)).decode()
        step = totp.check(secret, code, now, 0)
        if step is None:
            raise Forbidden("that code is not right: check the time on the device")
        conn.execute(delete(factor_table).where(factor_table.c.staff == signed.staff.name,
                                                factor_table.c.kind == "totp"))  # fmt: skip
        conn.execute(update(factor_table).where(factor_table.c.id == row.id)
                     .values(kind="totp", last_step=step))  # fmt: skip
        conn.execute(update(session_proof_table)
                     .where(session_proof_table.c.session == signed.session)
                     .values(mfa_at=now, factor="totp", reauth_at=now))  # fmt: skip
        fund.log(conn, signed.staff, "mfa.confirm", f"staff:{signed.staff.name}")


def prove(
    fund: Fund, signed: Signed, factor: str, conn: Connection | None = None, detail: str = ""
) -> None:
    """Record that the session has just proven a second factor (a passkey, checked by the
    caller); it counts as a fresh re-authentication too. Given `conn`, in the caller's
    transaction, so the proof lands with what the caller changed or not at all."""
    if conn is None:
        with fund.store.engine.begin() as own:
            prove(fund, signed, factor, own, detail)
        return
    now = fund.clock()
    conn.execute(update(session_proof_table)
                 .where(session_proof_table.c.session == signed.session)
                 .values(mfa_at=now, factor=factor, reauth_at=now))  # fmt: skip
    fund.log(conn, signed.staff, f"mfa.{factor}", f"staff:{signed.staff.name}", detail)


def reauthenticate(fund: Fund, signed: Signed, password: str, code: str, address: str) -> bool:
    """Prove password and code again, for changing factors or exporting."""
    now = fund.clock()
    actor = accounts.sign_in(fund.store, signed.staff.name, password, address, now)
    if actor is None or not _check_code(fund, signed.staff.name, code, now):
        return False
    with fund.store.engine.begin() as conn:
        conn.execute(update(session_proof_table)
                     .where(session_proof_table.c.session == signed.session)
                     .values(reauth_at=now))  # fmt: skip
        fund.log(conn, signed.staff, "reauth")
    return True


def sign_out(fund: Fund, token: str) -> None:
    sessions.end_token(fund.store, token, "signed out", fund.clock())
