"""`belwatch` commands on the relationship graph: network, owners, holdings, path, unlisted.
Each loads the register's names, the grouping of its entries and its links (seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import click

from belwatch.cli import F, _echo_json, _iso_date, _store, cli, db_option
from belwatch.graph import Network
from belwatch.graph.network import KINDS
from belwatch.resolve import Resolution
from belwatch.store import Store

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
kind_option = click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Follow only these links."
)


def chain_options(f: F) -> F:
    """The options of a question about chains of ownership from one entity."""
    for option in reversed((
        click.argument("entity_id"),
        click.option("--max-depth", type=click.IntRange(1, 20), default=10, show_default=True),
        click.option("--as-of", callback=_iso_date, help="The day (YYYY-MM-DD). Default: today."),
        json_option,
        db_option,
        click.pass_context,
    )):  # fmt: skip
        f = option(f)
    return f


@contextmanager
def _network(ctx: click.Context) -> Iterator[tuple[Network, Resolution, Store]]:
    from belwatch.graph import build
    from belwatch.match.service import Matcher
    from belwatch.resolve import load_resolution

    with _store(ctx) as store:
        matcher = Matcher(store)
        resolution = load_resolution(store, matcher)
        yield build(store, matcher, resolution), resolution, store


def _node(network: Network, resolution: Resolution, entity_id: str) -> str:
    canonical = resolution.canonical(entity_id)
    return canonical if canonical in network.index else entity_id


def _listed(listed: list[str]) -> str:
    return f"listed: {', '.join(listed)}" if listed else "NOT LISTED"


@cli.command()
@click.argument("entity_id")
@click.option("--depth", type=click.IntRange(1, 4), default=1, show_default=True)
@kind_option
@click.option("--limit", type=click.IntRange(1, 100_000), default=500, show_default=True)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json", "graphml", "ftm"]),
    default="text", show_default=True, help="text and json print; graphml and ftm are files.",
)  # fmt: skip
@click.option("-o", "--output", default="-", show_default=True, help="File to write.")
@db_option
@click.pass_context
def network(
    ctx: click.Context,
    entity_id: str,
    depth: int,
    kinds: tuple[str, ...],
    limit: int,
    fmt: str,
    output: str,
) -> None:
    """Everyone and everything within DEPTH links of an entity, and where each is listed.

    \b
    Examples:
        belwatch network us-ofac-sdn-1a2b --depth 2
        belwatch network us-ofac-sdn-1a2b --depth 2 -f graphml -o lukashenka.graphml
    """
    from belwatch.graph import queries as q
    from belwatch.graph.export import to_ftm, to_graphml

    with _network(ctx) as (graph, resolution, store):
        found = q.neighbourhood(graph, _node(graph, resolution, entity_id), depth,
                                set(kinds) or None, limit)  # fmt: skip
        if fmt in ("graphml", "ftm"):
            body = to_graphml(found) if fmt == "graphml" else to_ftm(found, store)
            if output == "-":
                click.echo(body.decode(), nl=False)
            else:
                Path(output).write_bytes(body)
            return
    if fmt == "json":
        _echo_json(asdict(found))
        return
    captions = {n.id: n.caption for n in found.nodes}
    for node in found.nodes:
        click.echo(f"{node.caption}  [{node.schema}; {_listed(node.listed)}]  {node.id}")
    click.echo("")
    for edge in found.edges:
        share = f" {edge.share:g}%" if edge.share is not None else ""
        click.echo(f"{captions[edge.source]} —{edge.label}{share}→ {captions[edge.target]}  "
                   f"({', '.join(edge.datasets)})")  # fmt: skip
    if found.truncated:
        click.echo(f"(more than {limit} within reach; raise --limit)")


@cli.command()
@chain_options
def owners(
    ctx: click.Context, entity_id: str, max_depth: int, as_of: str | None, as_json: bool
) -> None:
    """Who owns a company, through chains of companies, with effective percentages, and
    whether the OFAC 50% rule or the EU's ownership-or-control test reaches it.

    \b
    Example:
        belwatch owners gb-hmt-sanctions-1a2b --max-depth 6
    """
    from belwatch.graph import queries as q

    with _network(ctx) as (graph, resolution, _):
        found = q.owners(graph, _node(graph, resolution, entity_id), max_depth, as_of)
    if as_json:
        _echo_json(asdict(found))
        return
    click.echo(f"{found.company.caption}  [{_listed(found.company.listed)}]")
    for holding in found.owners:
        share = f"{holding.share:g}%" if holding.share is not None else "share unknown"
        ultimate = " (ultimate)" if holding.ultimate else ""
        click.echo(f"  {share:>14}  {holding.node.caption}{ultimate}  "
                   f"[{_listed(holding.node.listed)}]  {holding.depth} level(s)")  # fmt: skip
    rules = (("OFAC 50% rule", found.ofac_50), ("EU ownership or control", found.eu_control))
    for name, rule in rules:
        click.echo(f"{name}: {'APPLIES' if rule.applies else 'does not apply'}: {rule.explanation}")


@cli.command()
@chain_options
def holdings(
    ctx: click.Context, entity_id: str, max_depth: int, as_of: str | None, as_json: bool
) -> None:
    """Every company a person (or company) holds, directly or through chains, which of them
    it controls, and the companies it directs.

    \b
    Example:
        belwatch holdings us-ofac-sdn-1a2b
    """
    from belwatch.graph import queries as q

    with _network(ctx) as (graph, resolution, _):
        found = q.holdings(graph, _node(graph, resolution, entity_id), max_depth, as_of)
    if as_json:
        _echo_json(asdict(found))
        return
    controlled = set(found.controlled)
    click.echo(f"{found.holder.caption}  [{_listed(found.holder.listed)}]")
    for holding in found.companies:
        share = f"{holding.share:g}%" if holding.share is not None else "share unknown"
        mark = " CONTROLLED" if holding.node.id in controlled else ""
        click.echo(f"  {share:>14}  {holding.node.caption}{mark}  [{_listed(holding.node.listed)}]")
    for node in found.directs:
        click.echo(f"  {'director of':>14}  {node.caption}  [{_listed(node.listed)}]")


@cli.command()
@click.argument("source")
@click.argument("target")
@click.option("--max-depth", type=click.IntRange(1, 10), default=6, show_default=True)
@kind_option
@json_option
@db_option
@click.pass_context
def path(
    ctx: click.Context,
    source: str,
    target: str,
    max_depth: int,
    kinds: tuple[str, ...],
    as_json: bool,
) -> None:
    """The fewest links between two entities, in either direction.

    \b
    Example:
        belwatch path us-ofac-sdn-1a2b gb-hmt-sanctions-3c4d
    """
    from belwatch.graph import queries as q

    with _network(ctx) as (graph, resolution, _):
        a, b = _node(graph, resolution, source), _node(graph, resolution, target)
        edges = q.shortest_path(graph, a, b, max_depth, set(kinds) or None)
        ends = {end for edge in edges or [] for end in (edge.source, edge.target)}
        captions = {end: graph.captions[graph.index[end]] for end in ends}
    if as_json:
        _echo_json({"source": a, "target": b, "found": edges is not None,
                    "edges": [asdict(e) for e in edges or []]})  # fmt: skip
        return
    if edges is None:
        click.echo(f"No path within {max_depth} links.")
        return
    for edge in edges:
        click.echo(f"{captions[edge.source]} —{edge.label}→ {captions[edge.target]}  "
                   f"({', '.join(edge.datasets)})")  # fmt: skip


@cli.command()
@click.argument("entity_id", required=False)
@click.option("--regime", help="Only near targets listed under this regime (belarus).")
@click.option("--hops", type=click.IntRange(1, 3), default=2, show_default=True)
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@json_option
@db_option
@click.pass_context
def unlisted(
    ctx: click.Context,
    entity_id: str | None,
    regime: str | None,
    hops: int,
    limit: int,
    as_json: bool,
) -> None:
    """People and companies within HOPS links of a listed target (ENTITY_ID, or every
    target) that no jurisdiction lists, most closely tied first.

    \b
    Examples:
        belwatch unlisted --regime belarus
        belwatch unlisted us-ofac-sdn-1a2b --hops 1
    """
    from belwatch.graph import queries as q
    from belwatch.sources.datasets import REGIMES

    if regime is not None and regime not in REGIMES:
        raise click.BadParameter(f"unknown regime {regime!r}; known: {', '.join(REGIMES)}")
    with _network(ctx) as (graph, resolution, _):
        start = _node(graph, resolution, entity_id) if entity_id else None
        found = q.unlisted(graph, start, hops, limit, regime)
        captions = {v: graph.captions[graph.index[v]] for u in found for v in u.via}
    if as_json:
        _echo_json([asdict(u) for u in found])
        return
    for item in found:
        near = ", ".join(captions[v] for v in item.via[:3])
        click.echo(f"{item.tie:>6.2f}  {item.node.caption}  [{item.node.schema}]  "
                   f"{item.distance} link(s) from {near}")  # fmt: skip
