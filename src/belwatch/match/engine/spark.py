"""The Spark engine: the same steps as the DuckDB engine, spread over a cluster.

The input is read by Spark and numbered in file order; each partition's blocking keys are
computed with ``mapInArrow`` by the same function; the register's key tables are broadcast
and ``candidate_steps`` run on Spark SQL; the candidates of each row go to one partition,
where ``mapInArrow`` scores them with the matcher shipped as a broadcast variable (the
compared properties and listings of every entity, about 15 MB for the whole register). The
hits of a chunk come back to the driver, which writes them like any engine's.

``master`` is any Spark master URL: ``local[*]`` on one machine, ``spark://host:7077`` or
``yarn`` on a cluster (docs/scaling.md shows spark-submit)."""

from __future__ import annotations

import logging
import os
import pickle
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from belwatch.exc import ConfigError
from belwatch.match.engine.inputs import input_format
from belwatch.match.engine.job import Counts
from belwatch.match.engine.tables import (
    FIELDS,
    INPUT_SCHEMA,
    KEYS_SCHEMA,
    OUTPUT_SCHEMA,
    Mapping,
    Scoring,
    candidate_steps,
    query_keys,
    register_tables,
    score_rows,
)
from belwatch.match.service import Matcher

LOCAL_MEMORY = "4g"
PROBLEM_SCHEMA = KEYS_SCHEMA.append(pa.field("problem", pa.string()))


class SparkEngine:
    name = "spark"

    def __init__(
        self,
        matcher: Matcher,
        scoring: Scoring,
        input_path: Path,
        mapping: Mapping,
        master: str = "local[*]",
        conf: dict[str, str] | None = None,
    ) -> None:
        self.matcher = matcher
        self.scoring = scoring
        self.input_path = input_path
        self.mapping = mapping
        self.master = master
        self.conf = conf or {}
        self.spark: Any = None

    def prepare(self, work: Path) -> int:
        try:
            from pyspark.sql import SparkSession
            from pyspark.storagelevel import StorageLevel
        except ImportError:
            raise ConfigError("the Spark engine needs pyspark: pip install pyspark") from None
        builder = (
            SparkSession.builder.master(self.master)
            .appName("belwatch screen")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.local.dir", str(work / "spark"))
        )
        if self.master.startswith("local"):  # the workers run this very Python
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            # The driver is the executor too: room for the broadcast register and a chunk.
            builder = builder.config("spark.driver.memory", LOCAL_MEMORY)
        for key, value in self.conf.items():
            builder = builder.config(key, value)
        spark = self.spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        inputs = self._read(spark).persist(StorageLevel.DISK_ONLY)
        scoring, column = self.scoring, self.mapping.name
        keyed = inputs.mapInArrow(lambda batches: _keys(batches, scoring, column),
                                  _spark_schema(PROBLEM_SCHEMA))  # fmt: skip
        keyed = keyed.persist(StorageLevel.DISK_ONLY)
        self.inputs, self.keys = inputs, keyed
        tables = register_tables(self.matcher)
        from pyspark.sql.functions import broadcast

        for name in ("postings", "key_stats", "variants", "entities", "compatible"):
            with _quiet_pandas():
                frame = spark.createDataFrame(getattr(tables, name).to_pandas())
            broadcast(frame).createOrReplaceTempView(name)
        self.steps = candidate_steps(self.scoring.pool, "spark")
        shipped = Matcher.scoring_only(self.matcher.profiles, self.matcher.listings)
        self.shipped = spark.sparkContext.broadcast(
            pickle.dumps((shipped, self.scoring), protocol=pickle.HIGHEST_PROTOCOL)
        )
        return int(inputs.agg({"row": "max"}).collect()[0][0] or 0)

    def _read(self, spark: Any) -> Any:
        from pyspark.sql import functions as f

        path = str(self.input_path)
        kind = input_format(self.input_path)
        if kind == "csv":
            frame = spark.read.options(header=True, multiLine=True, escape='"',
                                       inferSchema=False).csv(path)  # fmt: skip
        elif kind == "parquet":
            frame = spark.read.parquet(path)
        elif kind == "jsonl":
            frame = spark.read.options(primitivesAsString=True, mode="PERMISSIVE",
                                       columnNameOfCorruptRecord="_corrupt").json(path)  # fmt: skip
        else:
            raise ConfigError("the Spark engine reads CSV, Parquet or JSON lines, not xlsx")
        self.mapping.check(frame.columns, path)
        columns = self.mapping.columns()
        selected = []
        for field in FIELDS:
            column = columns.get(field)
            if column is None:
                selected.append(f.lit(None).cast("string").alias(field))
                continue
            text = f.trim(f.col(f"`{column}`").cast("string"))
            selected.append(f.when(text == "", None).otherwise(text).alias(field))
        broken = (f.when(f.col("_corrupt").isNotNull(), f.lit("not JSON"))
                  if "_corrupt" in frame.columns else f.lit(None))  # fmt: skip
        selected.append(broken.cast("string").alias("problem"))
        first = 2 if kind == "csv" else 1  # a CSV's first record is on line 2
        return _numbered(frame.select(*selected), first)

    def screen(self, first: int, last: int) -> tuple[pa.Table, Counts]:
        from pyspark.sql import functions as f

        spark = self.spark
        in_range = (f.col("row") >= first) & (f.col("row") <= last)
        chunk_keys = self.keys.where(in_range)
        chunk_keys.where(f.col("problem").isNull()).select("row", "schema", "key", "need") \
            .createOrReplaceTempView("query_keys")  # fmt: skip
        for name, step in self.steps:
            spark.sql(step).createOrReplaceTempView(name)
        candidates = spark.table("candidates")
        rows = self.inputs.where(in_range)
        joined = (
            candidates.join(rows, "row")
            .repartition(max(1, spark.sparkContext.defaultParallelism), "row")
            .sortWithinPartitions("row", "rank")
        )
        shipped = self.shipped
        scored = joined.mapInArrow(lambda batches: _score(batches, shipped),
                                   _spark_schema(OUTPUT_SCHEMA.append(
                                       pa.field("__counts__", pa.string()))))  # fmt: skip
        with _quiet_pandas():
            collected = scored.toPandas()
        table = pa.Table.from_pandas(collected, preserve_index=False)
        counts_column = table.column("__counts__").to_pylist()
        matched = sum(int(c.split(":")[0]) for c in counts_column if c)
        found = sum(int(c.split(":")[1]) for c in counts_column if c)
        hits = table.filter(pa.compute.is_null(table.column("__counts__")))
        hits = hits.drop_columns(["__counts__"]).cast(OUTPUT_SCHEMA)
        total = int(rows.count())
        problems = int(chunk_keys.where(f.col("problem").isNotNull()).count())
        counts = Counts(total, total - problems, matched, found, problems)
        return hits.sort_by([("row", "ascending"), ("rank", "ascending")]), counts

    def problems(self, limit: int) -> list[tuple[int, str]]:
        from pyspark.sql import functions as f

        found = (self.keys.where(f.col("problem").isNotNull()).orderBy("row").limit(limit)
                 .collect())  # fmt: skip
        return [(int(r["row"]), str(r["problem"])) for r in found]

    def close(self) -> None:
        if self.spark is None:
            return
        spark, self.spark = self.spark, None
        try:
            self.inputs.unpersist()
            self.keys.unpersist()
            spark.stop()
        except Exception:
            logging.getLogger(__name__).warning("Spark had stopped already")


def _numbered(frame: Any, first: int) -> Any:
    """Rows numbered in file order from ``first``, all in the JVM: a row's place in its
    partition (monotonically_increasing_id keeps it in the low 33 bits) plus the rows of the
    partitions before it (file splits are partitioned in file order)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as f

    tagged = frame.select(f.spark_partition_id().alias("_part"),
                          f.monotonically_increasing_id().alias("_id"), "*").persist()  # fmt: skip
    sizes = tagged.groupBy("_part").count()
    before = Window.orderBy("_part").rowsBetween(Window.unboundedPreceding, -1)
    offsets = sizes.select("_part", f.coalesce(f.sum("count").over(before), f.lit(0))
                           .alias("_offset"))  # fmt: skip
    low = f.col("_id").bitwiseAND(f.lit((1 << 33) - 1))
    numbered = tagged.join(f.broadcast(offsets), "_part").select(
        (low + f.col("_offset") + f.lit(first)).cast("long").alias("row"),
        *INPUT_SCHEMA.names[1:],
    )  # fmt: skip
    return numbered


@contextmanager
def _quiet_pandas() -> Iterator[None]:
    """PySpark 3.5 calls pandas functions that pandas 2 deprecates; the calls still work."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _keys(
    batches: Iterator[pa.RecordBatch], scoring: Scoring, name_column: str
) -> Iterator[pa.RecordBatch]:
    """A partition's blocking keys, and its rows that cannot be screened (key null)."""
    for batch in batches:
        keys, problems = query_keys(pa.Table.from_batches([batch]), scoring, name_column)
        table = keys.append_column("problem", pa.nulls(keys.num_rows, pa.string()))
        if problems:
            extra = pa.table({
                "row": pa.array([p[0] for p in problems], pa.int64()),
                "schema": pa.nulls(len(problems), pa.string()),
                "key": pa.nulls(len(problems), pa.string()),
                "need": pa.nulls(len(problems), pa.int32()),
                "problem": [p[1] for p in problems],
            })  # fmt: skip
            table = pa.concat_tables([table, extra])
        yield from table.cast(PROBLEM_SCHEMA).to_batches()


# The shipped matcher, unpickled once per Python worker.
_SHIPPED: dict[bytes, tuple[Matcher, Scoring]] = {}


def _score(batches: Iterator[pa.RecordBatch], shipped: Any) -> Iterator[pa.RecordBatch]:
    """Score a partition of (candidate, input row) records sorted by row; a row's records
    may run over two batches, so the last row of each batch waits for the next. A final
    record carries the partition's counts (rows with a match : hits)."""
    token = shipped.value[-64:]  # the pickle's tail tells one job's matcher from another's
    if token not in _SHIPPED:
        _SHIPPED.clear()
        _SHIPPED[token] = pickle.loads(shipped.value)
    matcher, scoring = _SHIPPED[token]
    matched = hits = 0
    pending: pa.Table | None = None
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if pending is not None:
            table = pa.concat_tables([pending, table])
        if table.num_rows == 0:
            continue
        last = table.column("row")[-1].as_py()
        done = table.filter(pa.compute.not_equal(table.column("row"), last))
        pending = table.filter(pa.compute.equal(table.column("row"), last))
        out, m, h = _score_table(matcher, scoring, done)
        matched, hits = matched + m, hits + h
        yield from out
    if pending is not None and pending.num_rows:
        out, m, h = _score_table(matcher, scoring, pending)
        matched, hits = matched + m, hits + h
        yield from out
    counts = {name: [None] for name in OUTPUT_SCHEMA.names}
    yield pa.RecordBatch.from_pydict(
        {**counts, "__counts__": [f"{matched}:{hits}"]},
        schema=OUTPUT_SCHEMA.append(pa.field("__counts__", pa.string())),
    )


def _score_table(
    matcher: Matcher, scoring: Scoring, table: pa.Table
) -> tuple[list[pa.RecordBatch], int, int]:
    if table.num_rows == 0:
        return [], 0, 0
    candidates = table.select(["row", "entity_id", "rank"])
    rows = table.select(INPUT_SCHEMA.names)
    unique = rows.group_by(INPUT_SCHEMA.names).aggregate([]).select(INPUT_SCHEMA.names)
    out, matched, hits = score_rows(matcher, scoring, unique.cast(INPUT_SCHEMA), candidates)
    extra = out.append_column("__counts__", pa.nulls(out.num_rows, pa.string()))
    return extra.to_batches(), matched, hits
