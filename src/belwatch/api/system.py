"""Service endpoints: health and the catalogue of datasets with their versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from belwatch.api.deps import get_store
from belwatch.api.models import DataCatalogModel, DatasetModel, StatusResponse
from belwatch.sources.datasets import COLLECTIONS, DATASETS
from belwatch.store import Store

router = APIRouter(tags=["System information"])


@router.get("/healthz", response_model=StatusResponse)
def healthz(store: Annotated[Store, Depends(get_store)]) -> StatusResponse:
    """Is the service up and its register readable?"""
    store.cutoffs()
    return StatusResponse(status="ok")


@router.get("/catalog", response_model=DataCatalogModel)
def catalog(store: Annotated[Store, Depends(get_store)]) -> DataCatalogModel:
    """The datasets in the register, each with its ingested versions, and the collections."""
    by_dataset: dict[str, list[dict[str, object]]] = {}
    for version in store.versions():
        by_dataset.setdefault(version.dataset, []).append(
            {
                "id": version.id,
                "date": version.version_date,
                "date_source": version.date_source,
                "sha256": version.sha256,
                "records": version.records,
                "complete": version.complete,
                "ingested_at": version.ingested_at.isoformat(timespec="seconds"),
            }
        )
    datasets = []
    for name, versions in sorted(by_dataset.items()):
        info = DATASETS.get(name)
        latest = max(str(v["date"]) for v in versions)
        datasets.append(
            DatasetModel(
                name=name,
                title=info.title if info else name,
                url=info.url if info else None,
                version=latest.replace("-", ""),
                index_version=latest.replace("-", ""),
                jurisdiction=info.jurisdiction if info else None,
                versions=versions,
            )
        )
    leaves = [d.name for d in datasets]
    for name, title in COLLECTIONS.items():
        datasets.append(
            DatasetModel(
                name=name,
                title=title,
                version=max((d.version for d in datasets), default=""),
                children=[leaf for leaf in leaves if leaf != "ftm_import" or name == "sanctions"],
            )
        )
    names = [d.name for d in datasets]
    return DataCatalogModel(datasets=datasets, current=names, outdated=[])
