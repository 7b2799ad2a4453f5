"""`belwatch` commands on the repression register: import case files, export what a role
may see, and the designation proposals for the officials the cases name."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
import orjson

from belwatch.cli import F, _echo_json, _log, _store, cli, db_option
from belwatch.exc import ConfigError
from belwatch.register.records import ROLES, VISIBILITIES

by_option = click.option("--by", "author", required=True, help="Who you are (recorded).")


def role_option(default: str) -> Callable[[F], F]:
    return click.option(
        "--role", type=click.Choice(list(ROLES)), default=default, show_default=True,
        help="The role to act in: a viewer sees public records only, an editor internal ones "
        "too, an admin restricted ones as well.",
    )  # fmt: skip


@cli.command("repression-import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@by_option
@role_option("editor")
@click.option(
    "--visibility", type=click.Choice(VISIBILITIES), default="internal", show_default=True,
    help="For rows that give none. A row whose person refused consent is restricted.",
)  # fmt: skip
@click.option(
    "--kind", type=click.Choice(["cases", "organisations", "extremist"]),
    help="What the files hold. Default: found from their columns.",
)  # fmt: skip
@click.option("--lenient", is_flag=True, help="Report a bad row and import the others.")
@db_option
@click.pass_context
def repression_import(
    ctx: click.Context,
    paths: tuple[str, ...],
    author: str,
    role: str,
    visibility: str,
    kind: str | None,
    lenient: bool,
) -> None:
    """Import files into the repression register: cases (a row per persecuted person),
    closed organisations or "extremist" designations, as CSV or xlsx headed in English,
    Russian or Belarusian, or FtM JSON lines. Each file lands whole or not at all; a record
    already there gets a new version only when something changed.

    \b
    Examples:
        belwatch repression-import prisoners.csv --by "A. Documenter" --visibility internal
        belwatch repression-import liquidated.xlsx --by "A. Documenter" --visibility public
    """
    from belwatch.register import importer
    from belwatch.register.records import Actor, Repression

    actor = Actor(author, role)
    with _store(ctx) as store:
        repository = Repression(store)
        for path in paths:
            found = importer.read(Path(path), actor.name, visibility, lenient, kind)
            counts = repository.write(actor, found.changes)
            click.echo(
                f"{path}: {found.rows:,} rows of {found.layout}; "
                f"{counts['created']:,} records created, "
                f"{counts['updated']:,} updated, {counts['unchanged']:,} unchanged"
            )
            for problem in found.problems:
                click.secho(f"  skipped: {problem}", fg="yellow", err=True)


@cli.command("repression-export")
@by_option
@role_option("viewer")
@click.option("-o", "--output", default="-", show_default=True, help="FtM JSON lines file.")
@db_option
@click.pass_context
def repression_export(ctx: click.Context, author: str, role: str, output: str) -> None:
    """Export the repression register as FtM entities: only what the role may see (a
    viewer's export holds no restricted or internal record, nor any link to one).

    \b
    Example:
        belwatch repression-export --by "A. Documenter" --role viewer -o public.ftm.json
    """
    from belwatch.register.records import Actor, Repression

    actor = Actor(author, role)
    with _store(ctx) as store:
        lines = [orjson.dumps(e) + b"\n" for e in Repression(store).export(actor)]
    if output == "-":
        click.echo(b"".join(lines).decode(), nl=False)
    else:
        Path(output).write_bytes(b"".join(lines))
        _log(f"{len(lines):,} records written to {output}")


@cli.command()
@by_option
@role_option("viewer")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
@click.pass_context
def proposals(ctx: click.Context, author: str, role: str, as_json: bool) -> None:
    """The officials the repression register names (judges, prosecutors, investigators),
    with the cases as evidence and where each is already listed: those listed nowhere
    first, then those listed only by some jurisdictions.

    \b
    Example:
        belwatch proposals --by "A. Analyst" --json > proposals.json
    """
    from dataclasses import asdict

    from belwatch.match.service import Matcher
    from belwatch.register.officials import proposals as make
    from belwatch.register.records import Actor, Repression

    actor = Actor(author, role)
    with _store(ctx) as store:
        found = make(Repression(store), actor, Matcher(store))
    if as_json:
        _echo_json([{**asdict(p), "status": p.status} for p in found])
        return
    for proposal in found:
        listed = ", ".join(proposal.listed_by).upper() or "-"
        missing = ", ".join(proposal.not_listed_by).upper() or "-"
        click.echo(f"{proposal.status:<20} {proposal.official.caption}  "
                   f"({', '.join(proposal.roles)}; {len(proposal.evidence)} case(s); "
                   f"listed by {listed}; not by {missing})")  # fmt: skip


@cli.command()
@click.argument("official")
@by_option
@role_option("viewer")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write: .pdf or .html.")  # fmt: skip
@db_option
@click.pass_context
def dossier(ctx: click.Context, official: str, author: str, role: str, output: str) -> None:
    """Write the designation dossier of one official (their record id, or their name as the
    register spells it): identifying information, statement of reasons, the cases as
    evidence with their sources, and where the person is listed already; as PDF or HTML.
    Only the cases the role may see are used.

    \b
    Example:
        belwatch dossier "Вересковский Ефим Прокопович" --by "A. Analyst" -o dossier.pdf
    """
    from belwatch.match.service import Matcher
    from belwatch.register.officials import proposals as make
    from belwatch.register.records import Actor, Repression
    from belwatch.web.dossier import document, pdf

    actor = Actor(author, role)
    kind = Path(output).suffix.lower()
    if kind not in (".pdf", ".html"):
        raise click.UsageError(f"{output}: write a .pdf or an .html file")
    with _store(ctx) as store:
        found = make(Repression(store), actor, Matcher(store))
    wanted = official.strip().casefold()
    chosen = [p for p in found if wanted in (p.official.id.casefold(),
                                             p.official.caption.casefold())]  # fmt: skip
    if not chosen:
        raise click.ClickException(f"no official {official!r} among the {len(found):,} the "
                                   f"register's cases name for a {role}")  # fmt: skip
    if len(chosen) > 1:
        ids = ", ".join(p.official.id for p in chosen)
        raise click.ClickException(f"{len(chosen)} officials are called {official!r}: "
                                   f"give one of their ids ({ids})")  # fmt: skip
    if kind == ".pdf":
        Path(output).write_bytes(pdf(chosen[0], actor.name))
    else:
        Path(output).write_text(document(chosen[0], actor.name), encoding="utf-8")
    _log(f"dossier of {chosen[0].official.caption} written to {output}")


@cli.command()
@by_option
@role_option("viewer")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, each point with its records.")
@db_option
@click.pass_context
def indicators(ctx: click.Context, author: str, role: str, as_json: bool) -> None:
    """Month by month, from the repression register: people held, releases, new criminal
    cases, organisations liquidated, "extremist" designations. Each point names the records
    behind it (--json).

    \b
    Example:
        belwatch indicators --by "A. Analyst" --json > indicators.json
    """
    from dataclasses import asdict

    from belwatch.register.indicators import indicators as make
    from belwatch.register.records import Actor, Repression

    with _store(ctx) as store:
        found = make(Repression(store), Actor(author, role))
    if as_json:
        _echo_json([asdict(s) for s in found])
        return
    if not found:
        click.echo("The register holds no dated records.")
        return
    click.echo("month    " + " ".join(f"{s.name:>11}" for s in found))
    for number, point in enumerate(found[0].points):
        click.echo(f"{point.month}  " + " ".join(f"{s.points[number].value:>11,}" for s in found))


@cli.command("repression-figures")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@by_option
@role_option("editor")
@db_option
@click.pass_context
def repression_figures(ctx: click.Context, paths: tuple[str, ...], author: str, role: str) -> None:
    """Add figures others publish (political prisoners held, people convicted, organisations
    closed, "extremist" listings) from CSV files with the columns indicator, date, value,
    qualifier, publisher, title, url and quote; the quote must give the value. Without a
    file, the figures belwatch ships, each checked against its public source.

    \b
    Example:
        belwatch repression-figures --by "A. Documenter"
        belwatch repression-figures viasna-2026.csv --by "A. Documenter"
    """
    from belwatch.register import figures
    from belwatch.register.records import Actor, Repression

    actor = Actor(author, role)
    found = [f for path in (paths or (str(figures.SEED),)) for f in figures.read(Path(path))]
    with _store(ctx) as store:
        saved = figures.save(Repression(store), actor, found)
    click.echo(f"{saved:,} published figures recorded, "
               f"{len({f.publisher for f in found}):,} publishers")  # fmt: skip


@cli.command("account-add")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), required=True, help="The role to act in.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@db_option
@click.pass_context
def account_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Add an account for the web pages (a password of 12 characters or more is asked for).

    \b
    Example:
        belwatch account-add "A. Documenter" --role editor
    """
    from belwatch import accounts

    if password_stdin:
        password = str(sys.stdin.readline()).rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _store(ctx) as store:
        accounts.add(store, name, password, role)
    _log(f"account {name!r} added as {role}")


@cli.command("account-change")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), help="A new role.")
@click.option("--disable/--enable", default=None, help="Stop (or allow again) signing in.")
@db_option
@click.pass_context
def account_change(ctx: click.Context, name: str, role: str | None, disable: bool | None) -> None:
    """Change an account's role, or disable it: its open sessions end at once, and a role
    change holds from the next request.

    \b
    Example:
        belwatch account-change "A. Documenter" --disable
    """
    from belwatch import accounts

    with _store(ctx) as store:
        accounts.change(store, name, role, disable)
    _log(f"account {name!r} changed")


@cli.command("account-sessions")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
@click.pass_context
def account_sessions(ctx: click.Context, name: str | None, as_json: bool) -> None:
    """The open sessions of every account, or of one: when each started and was last used,
    and from which browser. A session ends after 8 hours, or 30 minutes unused.

    \b
    Example:
        belwatch account-sessions "A. Documenter"
    """
    from belwatch import sessions

    with _store(ctx) as store:
        found = sessions.open_sessions(store, name)
    if as_json:
        _echo_json([{"id": s.id[:12], "account": s.account,
                     "started": s.created_at.isoformat(timespec="seconds"),
                     "last_seen": s.last_seen_at.isoformat(timespec="seconds"),
                     "expires": s.expires_at.isoformat(timespec="seconds"),
                     "user_agent": s.user_agent} for s in found])  # fmt: skip
        return
    if not found:
        click.echo("No open sessions.")
        return
    for s in found:
        click.echo(f"{s.id[:12]}  {s.account}  started {s.created_at:%Y-%m-%d %H:%M} UTC, "
                   f"last seen {s.last_seen_at:%H:%M}  {s.user_agent}")  # fmt: skip


@cli.command("account-end-sessions")
@click.argument("name")
@db_option
@click.pass_context
def account_end_sessions(ctx: click.Context, name: str) -> None:
    """End every open session of an account at once (a lost laptop, a seized phone): its
    holder must sign in again.

    \b
    Example:
        belwatch account-end-sessions "A. Documenter"
    """
    from belwatch import accounts, sessions

    with _store(ctx) as store:
        if name not in {a.name for a in accounts.listing(store)}:
            raise ConfigError(f"there is no account {name!r}")
        ended = sessions.end_all(store, name, f"ended by {accounts.COMMAND_LINE.name}")
    _log(f"{ended} session(s) of {name!r} ended")
