"""The `belwatch` command: a thin layer over the library. Errors become one-line messages."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import wraps
from typing import IO, Any, TypeVar

import click
import orjson

from belwatch.exc import BelwatchError
from belwatch.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.ensure_object(dict)["settings"]
    return settings


@contextmanager
def _store(ctx: click.Context) -> Iterator[Any]:
    from belwatch.store import Store

    store = Store(_settings(ctx).db)
    try:
        yield store
    finally:
        store.close()


def _echo_json(data: Any, out: IO[str] | None = None) -> None:
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
    click.echo(text, file=out)


def _iso_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-05-03") from None


class _Group(click.Group):
    """Turns belwatch errors into clean messages with exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BelwatchError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)


workers_option = click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=lambda: os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Processes working in parallel.",
)


def db_option(f: F) -> F:
    @click.option(
        "--db", "db", metavar="PATH|URL", help="Register database (overrides BELWATCH_DB)."
    )
    @click.pass_context
    @wraps(f)
    def wrapper(ctx: click.Context, db: str | None, *args: Any, **kwargs: Any) -> Any:
        obj = ctx.ensure_object(dict)
        obj["settings"] = obj["settings"].with_db(db)
        return ctx.invoke(f, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@click.group(cls=_Group)
@click.version_option(package_name="belwatch")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """belwatch: one register of everyone sanctioned over Belarus, with full listing history.

    \b
    Example:
        belwatch update --from ../shared/data/sources
        belwatch stats
        belwatch serve
    """
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        try:
            obj["settings"] = Settings.from_env()
        except BelwatchError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)


@cli.command()
@click.option(
    "--from",
    "paths",
    multiple=True,
    type=click.Path(),
    metavar="PATH",
    help="Ingest local files or folders instead of downloading (repeatable).",
)
@click.option(
    "--dataset",
    "datasets",
    multiple=True,
    metavar="NAME",
    help="Download only these datasets (repeatable).",
)
@click.option(
    "--lenient",
    is_flag=True,
    help="Keep the good records of a damaged file (e.g. one truncated mid-record).",
)
@click.option("--keep-going", is_flag=True, help="Report a bad file and go on with the others.")
@click.option(
    "--as-dataset",
    metavar="NAME",
    help="Keep FtM files (a company registry, a leak, an OpenSanctions or Aleph export) as a "
    "dataset of this name, so every fact says where it came from.",
)
@click.option(
    "--date",
    "default_date",
    callback=_iso_date,
    metavar="YYYY-MM-DD",
    help="Version date for files that carry none in content or name.",
)
@db_option
@click.pass_context
def update(
    ctx: click.Context,
    paths: tuple[str, ...],
    datasets: tuple[str, ...],
    lenient: bool,
    keep_going: bool,
    as_dataset: str | None,
    default_date: str | None,
) -> None:
    """Download every list from its official URL and ingest it; or ingest local files.

    The format of each file is found from its content. A file already ingested is skipped
    in well under a second. Each file lands whole or not at all.

    \b
    Examples:
        belwatch update
        belwatch update --dataset un_sc_sanctions
        belwatch update --from ../shared/data/sources
        belwatch update --from csl.csv --lenient
        belwatch update --from registry.ftm.json --as-dataset by_company_registry
    """
    from belwatch import ingest

    settings = _settings(ctx)
    day = date.fromisoformat(default_date) if default_date else None
    if not paths:
        from belwatch.sources.fetch import download_all

        fetched, failures = download_all(settings, datasets or None, log=_log)
        paths = tuple(str(p) for p in fetched)
        if failures and settings.fallback_sources is not None:
            _log(
                f"{len(failures)} download(s) failed; ingesting {settings.fallback_sources} instead"
            )
            paths = (*paths, str(settings.fallback_sources))
        elif failures:
            for failure in failures:
                click.secho(f"Error: {failure}", fg="red", err=True)
            if not paths:
                raise click.exceptions.Exit(1)
    with _store(ctx) as store:
        outcomes = ingest.ingest(
            store,
            paths,
            lenient=lenient,
            default_date=day,
            keep_going=keep_going,
            as_dataset=as_dataset,
            progress=lambda item: _log(f"reading {item.path} ({item.format.title})"),
        )
    failed = 0
    for outcome in outcomes:
        version = outcome.version
        if outcome.status == "ingested" and version is not None:
            click.echo(
                f"ingested  {outcome.path}: {version.dataset} {version.version_date} "
                f"({version.records:,} entries, {version.new_statements:,} new of "
                f"{version.statements:,} statements, {outcome.seconds:.1f}s)"
            )
            for warning in version.warnings[:5]:
                click.secho(f"  warning: {warning}", fg="yellow", err=True)
            if len(version.warnings) > 5:
                click.secho(
                    f"  ... and {len(version.warnings) - 5} more warnings", fg="yellow", err=True
                )
        elif outcome.status == "unchanged":
            click.echo(f"unchanged {outcome.path}: {outcome.message}")
        elif outcome.status == "skipped":
            click.echo(f"skipped   {outcome.path}: {outcome.message}", err=True)
        else:
            failed += 1
            message = outcome.message
            if str(outcome.path) not in message:
                message = f"{outcome.path}: {message}"
            click.secho(f"failed    {message}", fg="red", err=True)
    if failed:
        raise click.exceptions.Exit(1)


def _require_lists(store: Any) -> None:
    if not store.versions():
        raise click.ClickException(
            f"the register at {store.safe_url} holds no lists yet: run `belwatch update` first"
        )


def _log(message: str) -> None:
    click.echo(message, err=True)


@cli.command()
@click.option("--dataset", metavar="NAME", help="Only this dataset.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@db_option
@click.pass_context
def sources(ctx: click.Context, dataset: str | None, as_json: bool) -> None:
    """List the ingested versions of each list.

    \b
    Example:
        belwatch sources --dataset us_ofac_sdn
    """
    with _store(ctx) as store:
        versions = store.versions(dataset)
    if as_json:
        _echo_json([v.to_dict() for v in versions])
        return
    click.echo(
        f"{'id':>4}  {'dataset':<24} {'date':<10} {'from':<8} {'kind':<7} {'entries':>8} "
        f"{'new':>8}  file"
    )
    for v in versions:
        click.echo(
            f"{v.id:>4}  {v.dataset:<24} {v.version_date:<10} {v.date_source:<8} {v.kind:<7} "
            f"{v.records:>8,} {v.new_statements:>8,}  {v.filename}"
        )


@cli.command()
@click.option(
    "--as-of", callback=_iso_date, metavar="YYYY-MM-DD", help="What was listed on this day."
)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@db_option
@click.pass_context
def stats(ctx: click.Context, as_of: str | None, as_json: bool) -> None:
    """Per dataset: entities by schema, sanctions, targets under a Belarus regime.

    \b
    Examples:
        belwatch stats
        belwatch stats --as-of 2022-01-01 --json
    """
    from belwatch.stats import register_stats

    with _store(ctx) as store:
        rows = register_stats(store, as_of)
    if as_json:
        _echo_json([r.to_dict() for r in rows])
        return
    click.echo(
        f"{'dataset':<24} {'latest':<10} {'vers':>4} {'targets':>8} {'belarus':>8} "
        f"{'delisted':>8}  entities by schema"
    )
    for r in rows:
        schemata = ", ".join(f"{k} {v:,}" for k, v in r.schemata.items())
        click.echo(
            f"{r.dataset:<24} {r.latest_version or '':<10} {r.versions:>4} {r.targets:>8,} "
            f"{r.belarus_targets:>8,} {r.delisted:>8,}  {schemata}"
        )


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ftm"]),
    default="ftm",
    show_default=True,
    help="Output format: FtM entities as JSON lines.",
)
@click.option(
    "-o",
    "--output",
    type=click.File("w"),
    default="-",
    show_default=True,
    help="Output file; - for standard output.",
)
@click.option("--dataset", metavar="NAME", help="Only this dataset.")
@click.option(
    "--as-of", callback=_iso_date, metavar="YYYY-MM-DD", help="What was listed on this day."
)
@click.option("--all-versions", is_flag=True, help="Include entities and values no longer listed.")
@db_option
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    output: IO[str],
    dataset: str | None,
    as_of: str | None,
    all_versions: bool,
) -> None:
    """Write the register as FtM JSON lines (OpenSanctions, Aleph and yente read them).

    \b
    Example:
        belwatch export --dataset us_ofac_sdn -o sdn.ftm.json
    """
    with _store(ctx) as store:
        for entity in store.iter_entities(dataset, as_of=as_of, current=not all_versions):
            output.write(orjson.dumps(entity.to_dict()).decode() + "\n")


@cli.command()
@click.argument("entity_id")
@click.option("--json", "as_json", is_flag=True, help="JSON with every statement.")
@db_option
@click.pass_context
def entity(ctx: click.Context, entity_id: str, as_json: bool) -> None:
    """Show one entity with all its statements and their history.

    \b
    Example:
        belwatch entity us-ofac-sdn-0123456789abcdef01234567
    """
    from belwatch.exc import NotFound

    with _store(ctx) as store:
        statements = store.statements([entity_id])
        if not statements:
            raise NotFound(f"no entity {entity_id!r} in the register")
        cutoffs = store.cutoffs()
        linked = store.referencing(entity_id, current=False)
    from belwatch.store.sql import in_force

    statements.sort(key=lambda s: (s.prop != "id", s.prop, s.first_seen or "", s.value))
    if as_json:
        _echo_json(
            {
                "id": entity_id,
                "statements": [
                    {**s.to_dict(), "current": in_force(s, cutoffs, None)} for s in statements
                ],
                "referenced_by": [e.to_dict() for e in linked],
            }
        )
        return
    click.echo(f"{entity_id} ({statements[0].schema}, {statements[0].dataset})")
    for s in statements:
        state = "" if in_force(s, cutoffs, None) else "  [no longer listed]"
        click.echo(f"  {s.prop:<20} {s.value}  ({s.first_seen} .. {s.last_seen}){state}")
    for other in linked:
        click.echo(f"  <- {other.schema.name} {other.id}: {other.caption}")


@cli.command()
@click.argument("input_file", metavar="INPUT", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="-",
    show_default=True,
    help="Hits as Parquet, CSV, JSON lines (.jsonl) or xlsx, by extension; - for CSV on stdout.",
)
@click.option(
    "--name", "name_column", default="name", show_default=True, help="Column with the name."
)
@click.option("--id", "id_column", help="Column with your own record id, copied to the output.")
@click.option("--birth-date", "birth_column", help="Column with a date or year of birth.")
@click.option("--country", "country_column", help="Column with a country or nationality.")
@click.option("--identifier", "identifier_column",
              help="Column with a passport, ID, registration or tax number.")  # fmt: skip
@click.option("--schema-column", help="Column naming each row's kind (Person, Company...).")
@click.option(
    "--schema",
    "default_schema",
    default="LegalEntity",
    show_default=True,
    help="Kind of every row without a schema column: Person, Company, Organization...",
)
@click.option(
    "--limit", type=click.IntRange(1, 50), default=3, show_default=True, help="Hits kept per row."
)
@click.option("--threshold", type=click.FloatRange(0, 1), help="Score that counts as a match.")
@click.option("--all", "all_hits", is_flag=True, help="Also write candidates below the threshold.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              show_default=True, help="DuckDB on this machine, or Spark on a cluster.")  # fmt: skip
@click.option("--since-version", type=int, metavar="V",
              help="Only what changed since list version V (`belwatch sources`): the matches "
                   "that arose and the ones that went.")  # fmt: skip
@click.option("--memory", default="2GB", show_default=True,
              help="DuckDB's memory limit; beyond it, work spills to disk.")  # fmt: skip
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option("--spark-conf", multiple=True, metavar="KEY=VALUE", help="A Spark setting.")
@click.option(
    "--chunk-rows",
    type=click.IntRange(1_000),
    default=100_000,
    show_default=True,
    help="Rows screened and saved together: a stopped job resumes at a chunk.",
)
@click.option("--restart", is_flag=True, help="Start again, discarding a stopped job's work.")
@workers_option
@db_option
@click.pass_context
def screen(
    ctx: click.Context,
    input_file: str,
    output: str,
    name_column: str,
    id_column: str | None,
    birth_column: str | None,
    country_column: str | None,
    identifier_column: str | None,
    schema_column: str | None,
    default_schema: str,
    limit: int,
    threshold: float | None,
    all_hits: bool,
    engine: str,
    since_version: int | None,
    memory: str,
    master: str,
    spark_conf: tuple[str, ...],
    chunk_rows: int,
    restart: bool,
    workers: int,
) -> None:
    """Screen every row of a CSV, Parquet, JSON lines or xlsx file against every list.

    Rows are screened in chunks, each saved once done (in OUTPUT.work/): run the same
    command again after a crash and it goes on where it stopped. With --since-version,
    every row is screened only against the entities changed since that list version, and
    the output says which matches are new and which are gone.

    \b
    Examples:
        belwatch screen customers.csv -o hits.csv --name full_name --birth-date dob
        belwatch screen suppliers.xlsx -o hits.xlsx --schema Company --id supplier_no
        belwatch screen customers.parquet -o hits.parquet --schema Person --identifier passport
        belwatch screen customers.parquet -o overnight.csv --schema Person --since-version 41
        belwatch screen customers.parquet -o hits.parquet --engine spark --master yarn
    """
    import tempfile
    import time
    from pathlib import Path

    from belwatch.match.algorithms import get_algorithm
    from belwatch.match.engine import Mapping, Options, screen_changes, screen_file
    from belwatch.match.engine.inputs import input_format
    from belwatch.match.engine.tables import row_schema

    row_schema({}, default_schema)  # refuse an unknown kind before any work
    mapping = Mapping(name_column, id_column, birth_column, country_column, schema_column,
                      identifier_column, default_schema)  # fmt: skip
    conf = dict(item.split("=", 1) for item in spark_conf if "=" in item)
    if len(conf) != len(spark_conf):
        raise click.BadParameter("give KEY=VALUE", param_hint="--spark-conf")
    options = Options(engine, workers, memory, master, conf, chunk_rows, restart)
    source = Path(input_file)
    unit = "line" if input_format(source) in ("csv", "jsonl") else "row"
    scratch = None
    if output == "-":
        scratch = tempfile.TemporaryDirectory(prefix="belwatch-screen-")
        target = Path(scratch.name) / "hits.csv"
    else:
        target = Path(output)
    progress = _ScreenProgress()
    started = time.perf_counter()
    with _store(ctx) as store:
        _log("loading the register's names...")
        if since_version is not None:
            changes = screen_changes(store, since_version, source, target, mapping,
                                     get_algorithm(None), threshold, options,
                                     progress)  # fmt: skip
            summary = changes.now
        else:
            summary = screen_file(store, source, target, mapping, get_algorithm(None), limit,
                                  threshold, not all_hits, options, progress)  # fmt: skip
    progress.close()
    if scratch is not None:
        sys.stdout.write(target.read_text(encoding="utf-8"))
        scratch.cleanup()
    for row, problem in summary.problems:
        click.secho(f"  skipped {unit} {row}: {problem}", fg="yellow", err=True)
    counts = summary.counts
    took = time.perf_counter() - started
    if since_version is not None:
        _log(f"{changes.changed:,} entities changed since version {since_version}: "
             f"{changes.new:,} new matches, {changes.gone:,} gone")  # fmt: skip
    resumed = f", {summary.resumed_chunks} chunks from before" if summary.resumed_chunks else ""
    _log(
        f"{counts.rows:,} rows, {counts.screened:,} screened, {counts.matched_rows:,} with a "
        f"match ({counts.hits:,} hits), {counts.problems:,} skipped{resumed}; "
        f"{summary.engine}: screened in {summary.seconds:.1f}s ({summary.rate:,.0f} rows/s), "
        f"{took:.1f}s in all"
    )


class _ScreenProgress:
    """Rows read, then a bar over the chunks screened, on stderr."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "reading" and done and done % 100_000 < 50_000:
            click.echo(f"  read {done:,} rows", err=True)
        if stage != "screening":
            return
        if self.bar is None or done <= self.bar.pos:  # a new job (delta screening has two)
            self.close()
            self.bar = click.progressbar(length=total, label="screening", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cli.command()
@workers_option
@db_option
@click.pass_context
def resolve(ctx: click.Context, workers: int) -> None:
    """Group the entries of all lists that are one target.

    Every listed target is screened against the other lists' targets; pairs that agree in
    full (names and a date of birth or an identifier) are judged the same, weaker ones go to
    the review queue. A re-run replaces these automatic judgements and never a person's
    (see belwatch decide).

    \b
    Example:
        belwatch resolve --workers 2
    """
    from belwatch.match.service import Matcher
    from belwatch.resolve import resolver

    with _store(ctx) as store:
        _log("loading the register's names...")
        _require_lists(store)
        matcher = Matcher(store)
        length = -(-len(matcher.listings) // resolver.CHUNK)
        with click.progressbar(length=length, label="resolving", file=sys.stderr) as bar:
            _, counts = resolver.resolve(store, matcher, workers=workers, progress=bar.update)
    _log(
        f"{counts['targets']:,} targets: {counts['same']:,} pairs judged the same, "
        f"{counts['unsure']:,} to review (belwatch review); {counts['groups']:,} targets on "
        f"more than one list, {counts['grouped entries']:,} entries in them"
    )


@cli.command()
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@db_option
@click.pass_context
def review(ctx: click.Context, limit: int, offset: int, as_json: bool) -> None:
    """The pairs the resolver was unsure of, most likely first, side by side.

    Decide each with: belwatch decide LEFT_ID RIGHT_ID same|not_same|unsure --by NAME

    \b
    Example:
        belwatch review --limit 10
    """
    from dataclasses import asdict

    from belwatch.resolve.review import queue

    with _store(ctx) as store:
        total, items = queue(store, limit=limit, offset=offset)
    if as_json:
        _echo_json({"total": total, "items": [asdict(item) for item in items]})
        return
    click.echo(f"{total:,} pairs to review; showing {offset + 1}-{offset + len(items)}")
    for item in items:
        click.echo(
            f"\n{item.decision.score or 0:.2f}  {item.left.entity_id}  {item.right.entity_id}"
        )
        for one in (item.left, item.right):
            click.echo(f"  [{one.dataset}] {one.caption}")
            for label, values in one.facts.items():
                click.echo(f"      {label}: {'; '.join(values)[:160]}")
        click.echo(f"  why: {item.decision.reason[:300]}")


@cli.command()
@click.argument("left_id")
@click.argument("right_id")
@click.argument("judgement", type=click.Choice(["same", "not_same", "unsure"]))
@click.option("--by", "author", required=True, help="Who decides (kept with the judgement).")
@click.option("--reason", default="", help="Why, for whoever reads the history.")
@db_option
@click.pass_context
def decide(
    ctx: click.Context, left_id: str, right_id: str, judgement: str, author: str, reason: str
) -> None:
    """Record a person's judgement on two entries; it wins over the resolver's, for good.

    \b
    Example:
        belwatch decide us-ofac-sdn-1a2b eu-journal-sanctions-3c4d not_same --by "A. Analyst"
    """
    from belwatch.resolve.decisions import record

    with _store(ctx) as store:
        for entity_id in (left_id, right_id):
            store.entity(entity_id, current=False)  # NotFound names an unknown id
        decision = record(store, left_id, right_id, judgement, author, reason)
    _log(f"{decision.left_id} / {decision.right_id}: {judgement}, by {decision.author}")


@cli.command()
@click.argument("target_id")
@click.argument("name")
@click.argument("judgement", type=click.Choice(["relevant", "not_relevant"]))
@click.option("--by", "author", required=True, help="Who decides (kept with the judgement).")
@click.option("--reason", default="", help="Why (kept with the judgement).")
@db_option
@click.pass_context
def lead(
    ctx: click.Context, target_id: str, name: str, judgement: str, author: str, reason: str
) -> None:
    """Judge a lead of the gap report: a name the lists relate to a target (TARGET_ID, the
    entry naming it) that no list holds. Leads judged not relevant (a newspaper, an award,
    a product) leave the report's list of leads and are counted apart.

    \b
    Example:
        belwatch lead eu-journal-sanctions-3c4d "Minsk Wheel" not_relevant --by "A. Analyst"
    """
    from belwatch.resolve.decisions import record_lead

    with _store(ctx) as store:
        store.entity(target_id, current=False)  # NotFound names an unknown id
        record_lead(store, target_id, name, judgement, author, reason)
    _log(f"{name} (named by {target_id}): {judgement}, by {author.strip()}")


@cli.command()
@click.option("--regime", default="belarus", show_default=True, help="The sanctions regime.")
@click.option("--as-of", callback=_iso_date, help="The day (YYYY-MM-DD). Default: today.")
@click.option(
    "-o", "--output", default="-", show_default=True,
    help="File to write: .json (everything), .csv (the matrix) or .xlsx (all tables).",
)  # fmt: skip
@db_option
@click.pass_context
def gaps(ctx: click.Context, regime: str, as_of: str | None, output: str) -> None:
    """The gaps between the allies' sanctions on a regime, target by target.

    Every target some list holds under the regime × every jurisdiction: listed or not,
    since when, days after the first designation, scripts and identifiers missing there;
    totals per jurisdiction pair; median lags; related entities no list holds. Groups the
    lists' entries as the last `belwatch resolve` judged them.

    \b
    Examples:
        belwatch gaps -o gaps.xlsx
        belwatch gaps --as-of 2022-01-01 -o gaps-2022.csv
    """
    from pathlib import Path

    from belwatch.match.service import Matcher
    from belwatch.resolve import export, load_resolution
    from belwatch.resolve.gaps import report
    from belwatch.sources.datasets import REGIMES

    if regime not in REGIMES:
        raise click.BadParameter(f"unknown regime {regime!r}; known: {', '.join(REGIMES)}")
    with _store(ctx) as store:
        _require_lists(store)
        matcher = Matcher(store)
        found = report(store, matcher, load_resolution(store, matcher), regime, as_of)
    suffix = Path(output).suffix.lower() if output != "-" else ".json"
    if suffix == ".xlsx":
        Path(output).write_bytes(export.to_xlsx(found))
    else:
        text = export.to_csv(found) if suffix == ".csv" else export.to_json(found)
        if output == "-":
            click.echo(text)
        else:
            Path(output).write_text(text, encoding="utf-8")
    listed = sum(1 for t in found.targets for c in t.cells.values() if c.status == "listed")
    _log(f"{len(found.targets):,} {regime} targets as of {found.as_of}, {listed:,} listings "
         f"in {len(found.jurisdictions)} jurisdictions; {len(found.mentions):,} related "
         f"entities no list holds ({len(found.dismissed):,} more judged not relevant)")  # fmt: skip


@cli.command()
@click.option("--host", help="Address to listen on (overrides BELWATCH_HOST).")
@click.option("--port", type=int, help="Port (overrides BELWATCH_PORT).")
@db_option
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the web UI and the yente-compatible API.

    \b
    Example:
        belwatch serve --port 8000
    """
    import uvicorn

    from belwatch.api import create_app

    settings = _settings(ctx)
    app = create_app(settings)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")


@cli.command()
def formats() -> None:
    """List the official list formats belwatch reads, and their datasets.

    \b
    Example:
        belwatch formats
    """
    from belwatch.sources import formats as all_formats

    for fmt in all_formats():
        side = f" (side file of {fmt.companion_of})" if fmt.companion_of else ""
        click.echo(f"{fmt.name:<22} {fmt.dataset:<24} {fmt.title}{side}")


from belwatch import cli_fund, cli_graph, cli_register  # noqa: E402, F401  (commands join)


def main() -> None:
    cli(obj={})


if __name__ == "__main__":
    main()
