"""Files in, versions out: find list files, detect their format, and store each as one
version of its dataset in one transaction."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from belwatch.exc import ConfigError, SourceError, UnknownFormat
from belwatch.sources import detect
from belwatch.sources.base import MAX_FILE_BYTES, SourceFile, SourceFormat
from belwatch.sources.datasets import COLLECTIONS, DATASETS
from belwatch.sources.ftm import FORMAT as FTM
from belwatch.store import Store, Version

FTM_FORMAT = FTM.name
DATASET_NAME = re.compile(r"[a-z][a-z0-9_]{1,63}")
_NAME_DATE = re.compile(r"(?<!\d)(20\d\d|19\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")


@dataclass
class Planned:
    """A file ready to ingest: its format and any side files."""

    path: Path
    format: SourceFormat
    companions: dict[str, Path] = field(default_factory=dict)


@dataclass
class Outcome:
    path: Path
    status: str  # "ingested", "unchanged", "skipped" or "failed"
    version: Version | None = None
    message: str = ""
    seconds: float = 0.0


def find_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """Every file under the given paths; the flag says whether the user named it directly."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and not any(
                    p.startswith(".") for p in found.relative_to(path).parts
                ):
                    yield found, False
        elif path.is_file():
            yield path, True
        else:
            raise SourceError("no such file or folder", file=str(path))


def plan(paths: Iterable[str | Path]) -> tuple[list[Planned], list[Outcome]]:
    """Detect each file's format by content; attach side files to their primary file.
    Files found inside folders that are not lists are skipped; a file named directly that
    is not a list is an error."""
    planned: list[Planned] = []
    skipped: list[Outcome] = []
    side_files: list[tuple[Path, SourceFormat]] = []
    for path, named in find_files(paths):
        try:
            fmt = detect(_read(path), str(path))
        except UnknownFormat:
            if named:
                raise
            skipped.append(Outcome(path, "skipped", message="not a supported list format"))
            continue
        if fmt.companion_of:
            side_files.append((path, fmt))
        else:
            planned.append(Planned(path, fmt))
    for path, fmt in side_files:
        owner = _owner(path, fmt, planned)
        if owner is None:
            skipped.append(
                Outcome(
                    path, "skipped", message=f"{fmt.title}: no {fmt.companion_of} file beside it"
                )
            )
        else:
            owner.companions[fmt.role or fmt.name] = path
    return planned, skipped


def _owner(path: Path, fmt: SourceFormat, planned: list[Planned]) -> Planned | None:
    """The primary file a side file belongs to: same folder, same format family; where
    several qualify, the one sharing its name prefix (cons_prim.csv / cons_add.csv)."""
    candidates = [
        p for p in planned if p.path.parent == path.parent and p.format.name == fmt.companion_of
    ]
    if len(candidates) > 1:
        prefix = path.name.split("_")[0].lower()
        candidates = [p for p in candidates if p.path.name.lower().startswith(prefix)] or candidates
    return candidates[0] if candidates else None


def version_date(
    published: date | None, path: Path, fallback: date | None = None
) -> tuple[str, str]:
    """The date a file speaks for, and where that date came from."""
    if published is not None:
        return published.isoformat(), "file"
    match = _NAME_DATE.search(path.name)
    if match:
        try:
            return date(*(int(g) for g in match.groups())).isoformat(), "filename"
        except ValueError:
            pass
    if fallback is not None:
        return fallback.isoformat(), "given"
    return date.today().isoformat(), "ingest"


def ingest_one(
    store: Store,
    item: Planned,
    *,
    lenient: bool = False,
    default_date: date | None = None,
    as_dataset: str | None = None,
) -> Outcome:
    data = _read(item.path)
    digest = hashlib.sha256(data)
    companions = {role: _read(path) for role, path in sorted(item.companions.items())}
    for companion in companions.values():
        digest.update(hashlib.sha256(companion).digest())
    sha256 = digest.hexdigest()
    known = store.find_version(sha256)
    if known is not None:
        return Outcome(
            item.path, "unchanged", known, f"already in the register as version {known.id}"
        )
    result = item.format.parse(SourceFile(str(item.path), data, companions), lenient=lenient)
    if as_dataset is not None:
        if item.format.name != FTM_FORMAT:
            raise SourceError(
                f"only FtM files can be kept as a dataset of their own, not {item.format.title}",
                file=str(item.path),
            )
        result.dataset = as_dataset
    if result.declared is not None and result.declared != result.records:
        result.warnings.append(
            f"the file says it has {result.declared:,} entries; {result.records:,} were read"
        )
    day, source = version_date(result.published, item.path, default_date)
    version = store.add_version(
        result, sha256=sha256, filename=str(item.path), version_date=day, date_source=source
    )
    return Outcome(item.path, "ingested", version)


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    *,
    lenient: bool = False,
    default_date: date | None = None,
    keep_going: bool = False,
    progress: Callable[[Planned], None] | None = None,
    as_dataset: str | None = None,
) -> list[Outcome]:
    """Ingest files and folders. Each file is one transaction; with ``keep_going`` a bad
    file is reported and the rest still ingested, otherwise the first error stops. FtM files
    (company registries, leaks, OpenSanctions or Aleph exports) can be kept ``as_dataset``
    of their own name, so every statement says where it came from."""
    if as_dataset is not None:
        check_dataset_name(as_dataset)
    planned, outcomes = plan(paths)
    for item in planned:
        if progress is not None:
            progress(item)
        started = time.perf_counter()
        try:
            outcome = ingest_one(store, item, lenient=lenient, default_date=default_date,
                                 as_dataset=as_dataset)  # fmt: skip
        except SourceError as exc:
            if not keep_going:
                raise
            outcome = Outcome(item.path, "failed", message=str(exc))
        outcome.seconds = time.perf_counter() - started
        outcomes.append(outcome)
    return outcomes


def check_dataset_name(name: str) -> None:
    """A name of one's own for imported data: not an official list's."""
    if not DATASET_NAME.fullmatch(name):
        raise ConfigError(
            f"dataset name {name!r}: use 2 to 64 lower-case letters, digits and _, "
            "starting with a letter"
        )
    if name in DATASETS or name in COLLECTIONS:
        raise ConfigError(f"{name!r} is an official list's dataset; choose a name of your own")


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(f"file of {size:,} bytes is larger than the limit", file=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", file=str(path)) from None
