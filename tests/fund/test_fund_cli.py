"""The fund's commands on a real database: keys, staff, the ledger's check, encrypted
backups restored elsewhere, key rotation, and the purge that keeps only counts."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, insert, select

from belwatch import accounts
from belwatch.cli import cli
from belwatch.fund import cases, money, retention
from belwatch.fund.core import Fund, Staff
from belwatch.fund.crypto import KeyRing
from belwatch.fund.schema import (
    applicant_index_table,
    applicant_table,
    case_table,
    factor_table,
    passkey_table,
)

NAME = "Мікалай Статкевіч"


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = CliRunner().invoke(cli, args, obj={}, env=env, input=stdin)
    assert done.exit_code == 0, done.output
    return done.output


def test_keys_staff_backup_rotation_and_purge(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    run(["fund-keys", "-o", str(keys)], {})
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    again = CliRunner().invoke(cli, ["fund-keys", "-o", str(keys)], obj={}, env={})
    assert again.exit_code == 1 and "never overwritten" in again.output
    db = f"sqlite:///{tmp_path / 'fund.db'}"
    env = {"BELWATCH_FUND_KEY_FILE": str(keys), "BELWATCH_FUND_DB": db}
    run(["fund-staff-add", "boss", "--role", "admin", "--password-stdin"], env,
        "a long admin password\n")  # fmt: skip
    run(["fund-staff-add", "worker", "--role", "caseworker", "--password-stdin"], env,
        "a long worker password\n")  # fmt: skip

    clock = [datetime(2024, 1, 10, 12, 0)]
    fund = Fund(db, KeyRing.from_file(keys), clock=lambda: clock[0])
    boss, worker = Staff("boss", "admin"), Staff("worker", "caseworker")
    cases.add_programme(fund, boss, "support", "Support", "victims", "EUR", 1_000_000)
    case = cases.intake(fund, worker, "support", {"names": [NAME]}, country="LT")
    other = cases.intake(fund, worker, "support", {"names": ["Someone Else"]}, country="PL")
    for to in ("eligibility", "declined", "closed"):
        cases.transition(fund, worker, case, to)
    fund.close()

    verified = run(["fund-verify"], env)
    assert verified.startswith("head ") and "whole" in verified
    head = verified.split()[1]
    backup = tmp_path / "fund.bwbak"
    run(["fund-backup", "-o", str(backup)], env)
    assert NAME.encode() not in backup.read_bytes()
    restored_db = f"sqlite:///{tmp_path / 'restored.db'}"
    run(["fund-restore", str(backup), "--fund-db", restored_db], env)
    restored = Fund(restored_db, KeyRing.from_file(keys))
    mine = cases.get(restored, worker, case)
    assert mine["identity"]["names"] == [NAME]
    # Staff accounts come back with the fund: the worker signs in to the restored one.
    assert accounts.sign_in(restored.store, "worker", "a long worker password") is not None
    restored.close()

    rotated = run(["fund-rotate-keys"], env)
    assert "current key k2" in rotated and "fund_applicant 2" in rotated
    assert (tmp_path / "keys.previous").exists()
    assert KeyRing.from_file(keys).current == "k2"
    run(["fund-verify", "--anchor", head], env)

    clock[0] += timedelta(days=400)
    fund = Fund(db, KeyRing.from_file(keys), clock=lambda: clock[0])
    assert cases.get(fund, worker, case)["identity"]["names"] == [NAME]  # under the new key
    fund.close()
    purged = CliRunner().invoke(cli, ["fund-purge", "--older-than", "365", "--by", "boss"],
                                obj={}, env=env)  # fmt: skip
    assert purged.exit_code == 0, purged.output
    fund = Fund(db, KeyRing.from_file(keys), clock=lambda: clock[0])
    with fund.store.engine.connect() as conn:
        left = conn.execute(select(case_table.c.id)).scalars().all()
        applicants = conn.execute(select(func.count()).select_from(applicant_table)).scalar()
    assert left == [other] and applicants == 1
    report = {r["programme"]: r for r in money.report(fund, boss)}
    assert report["support"]["cases"] == {"intake": 1, "closed": 1}
    assert report["support"]["countries"] == {"PL": 1, "LT": 1}
    retention.erase(fund, boss, other)  # a person's request: at once
    assert money.report(fund, boss)[0]["cases"] == {"closed": 1, "intake": 1}
    fund.close()
    refused = CliRunner().invoke(cli, ["fund-purge", "--older-than", "365", "--by", "worker"],
                                 obj={}, env=env)  # fmt: skip
    assert refused.exit_code == 1 and "not an admin" in refused.output


def test_clear_errors(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    run(["fund-keys", "-o", str(keys)], {})
    db = {"BELWATCH_FUND_DB": f"sqlite:///{tmp_path / 'fund.db'}"}
    with_file = {**db, "BELWATCH_FUND_KEY_FILE": str(keys)}

    def refused(args: list[str], env: dict[str, str], message: str) -> None:
        done = CliRunner().invoke(cli, args, obj={}, env=env)
        assert done.exit_code != 0 and message in done.output, (args, done.output)

    refused(["fund-rotate-keys"], {**db, "BELWATCH_FUND_KEYS": keys.read_text()},
            "set BELWATCH_FUND_KEY_FILE")  # fmt: skip
    refused(["fund-verify", "--anchor", "12:abc"], with_file, "is not SEQ:HASH")
    refused(["fund-verify"], db, "no fund keys")
    keys.chmod(0o644)
    refused(["fund-verify"], with_file, "chmod 600")


def test_rotating_the_index_key_from_the_command_line(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    run(["fund-keys", "-o", str(keys)], {})
    db = f"sqlite:///{tmp_path / 'fund.db'}"
    env = {"BELWATCH_FUND_KEY_FILE": str(keys), "BELWATCH_FUND_DB": db}
    old = KeyRing.from_file(keys)
    fund = Fund(db, old)
    boss, worker = Staff("boss", "admin"), Staff("worker", "caseworker")
    cases.add_programme(fund, boss, "support", "Support", "victims", "EUR", 1_000_000)
    first = cases.intake(fund, worker, "support", {"names": [NAME]})
    second = cases.intake(fund, worker, "support", {"names": ["Mikalai Statkevich"]})
    assert [d["id"] for d in cases.duplicates(fund, worker, second)] == [first]
    # A passkey from before user handles were kept: its handle came from the index key.
    with fund.store.engine.begin() as conn:
        conn.execute(insert(factor_table).values(
            id="f1", staff="boss", kind="webauthn", label="laptop", credential_id="AAAA",
            public_key=b"key", sign_count=0, last_step=0, created_at=datetime(2026, 1, 5),
        ))  # fmt: skip
    with fund.store.engine.connect() as conn:
        before = set(conn.execute(select(applicant_index_table.c.token)).scalars())
    fund.close()

    rotated = run(["fund-rotate-keys", "--index"], env)
    assert "current key k2, new index key" in rotated and "fund_applicant_index 6" in rotated
    assert "restart" in rotated
    new = KeyRing.from_file(keys)
    assert new.blind("name-key", "statkevich") != old.blind("name-key", "statkevich")
    fund = Fund(db, new)
    assert [d["id"] for d in cases.duplicates(fund, worker, second)] == [first]
    with fund.store.engine.connect() as conn:
        after = set(conn.execute(select(applicant_index_table.c.token)).scalars())
        handle = conn.execute(select(passkey_table.c.user_handle)).scalar_one()
    assert after and not before & after
    assert bytes(handle) == bytes.fromhex(old.blind("webauthn-user", "boss"))
    fund.close()
