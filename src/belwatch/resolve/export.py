"""A gap report as files: JSON (everything), CSV (the target × jurisdiction matrix) and
xlsx (the matrix, the jurisdiction pairs, the lags, the versions and the mentions)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from belwatch.resolve.gaps import GapReport, jurisdiction_name


def matrix_rows(report: GapReport) -> list[dict[str, Any]]:
    """One row per target: per jurisdiction its status, since when, the lag in days, and the
    scripts and identifiers its entries there lack."""
    rows = []
    for target in report.targets:
        row: dict[str, Any] = {
            "target_id": target.id,
            "caption": target.caption,
            "schema": target.schema,
            "first_listed": target.first_listed,
        }
        for code in report.jurisdictions:
            cell = target.cells[code]
            row[f"{code}_status"] = cell.status
            row[f"{code}_since"] = cell.since or ""
            row[f"{code}_lag_days"] = "" if cell.lag_days is None else cell.lag_days
            row[f"{code}_missing"] = "; ".join(cell.missing_scripts + cell.missing_ids)
        rows.append(row)
    return rows


def to_csv(report: GapReport) -> str:
    rows = matrix_rows(report)
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def to_json(report: GapReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=1)


def to_xlsx(report: GapReport) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    rows = matrix_rows(report)
    sheet = book.create_sheet("targets")
    if rows:
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
    pairs = book.create_sheet("listed by A, not by B")
    pairs.append(["listed by \\ not by", *map(jurisdiction_name, report.jurisdictions)])
    for a in report.jurisdictions:
        counts = report.listed_not_listed[a]
        pairs.append([jurisdiction_name(a), *(counts.get(b, "") for b in report.jurisdictions)])
    lags = book.create_sheet("lags and versions")
    lags.append(["jurisdiction", "median lag (days)", "list versions"])
    for code in report.jurisdictions:
        lags.append([jurisdiction_name(code), report.median_lag_days.get(code),
                     report.versions.get(code, "")])  # fmt: skip
    mentions = book.create_sheet("named, not listed")
    mentions.append(["entity_id", "name", "schema", "relation", "target_id", "target",
                     "named by", "context", "judgement"])  # fmt: skip
    for m in [*report.mentions, *report.dismissed]:
        mentions.append([m.entity_id, m.caption, m.schema, m.relation, m.target_id,
                         m.target_caption, m.dataset, m.context, m.judgement])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
