"""`belwatch` commands on the repression register: import case files, export what a role
may see, and the designation proposals for the officials the cases name."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
import orjson

from belwatch.cli import F, _echo_json, _log, _store, cli, db_option
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
    """Change an account's role, or disable it: it takes effect at the next request.

    \b
    Example:
        belwatch account-change "A. Documenter" --disable
    """
    from belwatch import accounts

    with _store(ctx) as store:
        accounts.change(store, name, role, disable)
    _log(f"account {name!r} changed")
