"""Commands for the democracy fund: its keys, staff accounts, the ledger's check, encrypted
backups and the purge of closed cases. The fund's data is worked on through its web section
and API, where every read of an identity is recorded."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click

from belwatch.cli import F, _log, _settings, cli


def fund_option(f: F) -> F:
    @click.option("--fund-db", "fund_db", metavar="PATH|URL",
                  help="The fund's database (overrides BELWATCH_FUND_DB).")  # fmt: skip
    @click.pass_context
    @wraps(f)
    def wrapper(ctx: click.Context, fund_db: str | None, *args: Any, **kwargs: Any) -> Any:
        ctx.ensure_object(dict)["fund_db"] = fund_db
        return f(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@contextmanager
def _fund(ctx: click.Context) -> Iterator[Any]:
    from belwatch.fund.core import Fund
    from belwatch.fund.crypto import KeyRing
    from belwatch.settings import database_url

    given = ctx.ensure_object(dict).get("fund_db")
    url = database_url(given) if given else _settings(ctx).fund_url
    fund = Fund(url, KeyRing.from_env())
    try:
        yield fund
    finally:
        fund.close()


@cli.command("fund-keys")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The key file to create (never overwritten).")  # fmt: skip
def fund_keys(output: str) -> None:
    """Create the fund's key file: an AES-256-GCM key for identity fields and a key for the
    blind indexes, readable by its owner only. Keep it off the database's machine and out
    of its backups; point BELWATCH_FUND_KEY_FILE at it.

    \b
    Example:
        belwatch fund-keys -o /etc/belwatch/fund-keys.json
    """
    from belwatch.fund.crypto import KeyRing

    _write_secret(Path(output), KeyRing.generate(), replace=False)
    _log(f"keys written to {output} (mode 600): set BELWATCH_FUND_KEY_FILE={output}")


def _write_secret(path: Path, text: str, replace: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    try:
        handle = os.open(path, flags, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{path} exists: keys are never overwritten") from None
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)


@cli.command("fund-rotate-keys")
@click.option("--index", "index", is_flag=True,
              help="Replace the blind-index key too and recompute every blind index.")  # fmt: skip
@fund_option
@click.pass_context
def fund_rotate_keys(ctx: click.Context, index: bool) -> None:
    """Add a new current key to the key file (BELWATCH_FUND_KEY_FILE) and re-encrypt every
    identity field with it; the old keys stay in the file until every row is re-encrypted
    (run it again: zero rows rewritten means the old keys may go). With --index, the
    blind-index key is replaced as well (after it may have leaked) and every blind index
    recomputed under the new one in one transaction; restart the fund's server processes
    afterwards, so that they find duplicates with the new key.

    \b
    Example:
        BELWATCH_FUND_KEY_FILE=keys.json belwatch fund-rotate-keys
        BELWATCH_FUND_KEY_FILE=keys.json belwatch fund-rotate-keys --index
    """
    from belwatch.fund.crypto import KeyRing, rotate
    from belwatch.fund.passkeys import keep_user_handles

    path = os.environ.get("BELWATCH_FUND_KEY_FILE", "")
    if not path:
        raise click.ClickException("set BELWATCH_FUND_KEY_FILE: rotation writes the key file")
    ring = KeyRing.from_file(path)
    text = ring.rotated(index=index)
    new = KeyRing.from_text(text)
    backup = Path(path).with_suffix(".previous")
    with _fund(ctx) as fund:
        if index:
            # While the old index key is still the one in the key file: older passkeys' user
            # handles were derived from it, and could not be derived once it is replaced.
            keep_user_handles(fund.store, ring)
        _write_secret(backup, Path(path).read_text(encoding="utf-8"), replace=True)
        _write_secret(Path(path), text, replace=True)
        counts = rotate(fund.store, new, reindex=index)
    _log(f"current key {new.current}{', new index key' if index else ''}; rewritten: "
         + ", ".join(f"{table} {n:,}" for table, n in counts.items())
         + f"; the previous key file is kept as {backup}"
         + ("; restart the fund's server processes" if index else ""))  # fmt: skip


@cli.command("fund-staff-add")
@click.argument("name")
@click.option("--role", required=True,
              type=click.Choice(["admin", "caseworker", "reviewer", "finance", "director"]),
              help="The role in the fund.")  # fmt: skip
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@fund_option
@click.pass_context
def fund_staff_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Add a staff account to the fund (the first admin is made this way). At the first
    sign-in the account must set up an authenticator app before anything else.

    \b
    Example:
        belwatch fund-staff-add "A. Director" --role admin
    """
    from belwatch.fund import staff

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _fund(ctx) as fund:
        staff.add(fund, None, name, password, role)
    _log(f"{name} added as {role}; the first sign-in sets up the second factor")


@cli.command("fund-verify")
@click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
              help="A ledger head recorded earlier (belwatch fund-verify prints it).")  # fmt: skip
@fund_option
@click.pass_context
def fund_verify(ctx: click.Context, anchors: tuple[str, ...]) -> None:
    """Check the fund's audit ledger: every entry's hash and its link to the one before;
    with --anchor, that a head recorded earlier (outside the database) is still there.

    \b
    Example:
        belwatch fund-verify --anchor 1200:3f5a...
    """
    from belwatch.fund import ledger

    pairs = []
    for anchor in anchors:
        seq, _, digest = anchor.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise click.BadParameter(f"{anchor!r} is not SEQ:HASH", param_hint="--anchor")
        pairs.append((int(seq), digest))
    with _fund(ctx) as fund:
        problems = ledger.verify(fund.store, pairs)
        head = ledger.head(fund.store)
    for problem in problems:
        click.secho(problem, fg="red", err=True)
    if head is not None:
        click.echo(f"head {head[0]}:{head[1]}  (keep it elsewhere, to check against later)")
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the ledger")
    _log("the ledger is whole")


@cli.command("fund-backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The encrypted backup file.")  # fmt: skip
@fund_option
@click.pass_context
def fund_backup(ctx: click.Context, output: str) -> None:
    """An encrypted backup of the fund's tables (AES-GCM under a key derived from the
    current key); restore it with fund-restore.

    \b
    Example:
        belwatch fund-backup -o fund-2026-11-25.bwbak
    """
    from belwatch.fund.crypto import backup

    with _fund(ctx) as fund:
        counts = backup(fund.store, fund.ring, output)
    _log(f"{sum(counts.values()):,} rows of {len(counts)} tables written to {output}")


@cli.command("fund-restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@fund_option
@click.pass_context
def fund_restore(ctx: click.Context, path: str) -> None:
    """Restore an encrypted backup into an empty fund database (a tampered file is refused
    whole), staff accounts and their factors included; everyone signs in afresh.

    \b
    Example:
        belwatch fund-restore fund-2026-11-25.bwbak --fund-db new-fund.db
    """
    from belwatch.fund.crypto import restore

    with _fund(ctx) as fund:
        counts = restore(fund.store, fund.ring, path)
    _log(f"{sum(counts.values()):,} rows of {len(counts)} tables restored")


@cli.command("fund-purge")
@click.option("--older-than", "days", type=int, required=True, metavar="DAYS",
              help="Purge cases closed more than this many days ago (30 at least).")  # fmt: skip
@click.option("--by", "admin", required=True, help="The fund admin who purges (recorded).")
@fund_option
@click.pass_context
def fund_purge(ctx: click.Context, days: int, admin: str) -> None:
    """Purge closed cases after the retention period: applicant, identity, notes, payees
    and uploads go; counts and sums per programme, year, country and state remain.

    \b
    Example:
        belwatch fund-purge --older-than 365 --by "A. Director"
    """
    from belwatch.fund.core import Staff
    from belwatch.fund.retention import purge

    with _fund(ctx) as fund:
        who = fund.staff(admin)
        if who is None or who.role != "admin":
            raise click.ClickException(f"{admin!r} is not an admin of the fund")
        done = purge(fund, Staff(who.name, who.role), days)
    _log(f"{done:,} closed cases purged; their counts and sums remain")
