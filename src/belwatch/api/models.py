"""Response shapes, as yente defines them, so yente clients work unchanged."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

EntityProperties = dict[str, list[Any]]


class ErrorResponse(BaseModel):
    detail: str = Field(..., examples=["no entity 'x' in the register"])


class StatusResponse(BaseModel):
    status: str = "ok"


class EntityResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(..., examples=["us-ofac-sdn-5ba3c0d5e5f8b3f0c2a1d9e7"])
    caption: str = Field(..., examples=["Aliaksandr LUKASHENKA"])
    schema_: str = Field(..., examples=["Person"], alias="schema")
    properties: EntityProperties = Field(..., examples=[{"name": ["Aliaksandr LUKASHENKA"]}])
    datasets: list[str] = Field([], examples=[["us_ofac_sdn"]])
    referents: list[str] = Field([])
    target: bool = False
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None


class DatasetModel(BaseModel):
    name: str
    title: str
    summary: str | None = None
    url: str | None = None
    load: bool = True
    entities_url: str | None = None
    version: str
    index_version: str | None = None
    index_current: bool = True
    children: list[str] = []
    # belwatch additions: every ingested version of the list
    jurisdiction: str | None = None
    versions: list[dict[str, Any]] = []


class DataCatalogModel(BaseModel):
    datasets: list[DatasetModel]
    current: list[str]
    outdated: list[str]
    index_stale: bool = False
