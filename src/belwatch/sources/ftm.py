"""FollowTheMoney entities as JSON lines: the ecosystem's exchange format (OpenSanctions,
Aleph, yente). Entities keep their own ids; OpenSanctions' ``referents`` and ``datasets``
are kept as they are."""

from __future__ import annotations

import orjson
from followthemoney import EntityProxy, model
from followthemoney.exc import InvalidData

from belwatch.sources.base import Context, ParseResult, SourceFile, SourceFormat, decode

DATASET = "ftm_import"


def sniff(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        return False
    first = head.split(b"\n", 1)[0]
    return b'"schema"' in first and (b'"properties"' in first or len(first) >= 4000)


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    text = decode(file.data, file.name)
    # Split on "\n" only: splitlines() also breaks at U+2028 etc., which JSON strings may hold.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        with ctx.entry(f"line {number}", lenient, skipped="{error}"):
            ctx.emit(_entity(ctx, line, number))
    return ctx.result()


def _entity(ctx: Context, line: str, number: int) -> EntityProxy:
    try:
        data = orjson.loads(line)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        schema = data.get("schema")
        if not isinstance(schema, str) or model.get(schema) is None:
            raise ctx.error(f"unknown FtM schema {schema!r}", field="schema")
        if not data.get("id"):
            raise ctx.error("entity without id", field="id")
        entity = model.make_entity(schema)
        entity.id = str(data["id"])
        properties = data.get("properties") or {}
        if not isinstance(properties, dict):
            raise ctx.error("properties is not a JSON object", field="properties")
        for prop, values in properties.items():
            if entity.schema.get(prop) is None:
                ctx.warn(f"line {number}: {schema} has no property {prop!r}; skipped")
                continue
            # A bare string is one value (as in FtM's own from_dict), not its characters.
            values = values if isinstance(values, list) else [values]
            ctx.add(entity, prop, values, field=f"properties.{prop}")
        entity.context = {k: data[k] for k in ("referents", "datasets") if k in data}
    except (ValueError, InvalidData, TypeError) as exc:
        raise ctx.error(f"not a FtM entity: {exc}") from None
    return entity


FORMAT = SourceFormat(
    name="ftm_json",
    dataset=DATASET,
    title="FollowTheMoney entities (JSON lines)",
    sniff=sniff,
    parse=parse,
)
