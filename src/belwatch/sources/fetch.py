"""Downloads of the official lists: the one place belwatch talks to the network.

Each download retries with back-off, asks the server only for changes (ETag and
Last-Modified), checks the length it was promised, and lands atomically next to a small
JSON record of its checksum and validators.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from belwatch.exc import FetchError
from belwatch.settings import Settings


class NetworkDown(FetchError):
    """Not one attempt reached the server: no route, no name resolution, nothing listening."""


@dataclass(frozen=True)
class Download:
    dataset: str
    url: str
    filename: str


# The official publication URLs. Lists that have no stable machine-readable download
# (Ukraine's register, Japan's PDF, the EU Official Journal transcription) are ingested
# from local files with `belwatch update --from`.
DOWNLOADS: tuple[Download, ...] = (
    Download(
        "us_ofac_sdn",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML",
        "us_ofac_sdn.xml",
    ),
    Download(
        "us_ofac_cons",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML",
        "us_ofac_cons.xml",
    ),
    Download(
        "un_sc_sanctions",
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        "un_sc_sanctions.xml",
    ),
    Download(
        "ca_dfatd_sema_sanctions",
        "https://www.international.gc.ca/world-monde/assets/office_docs/international_relations-relations_internationales/sanctions/sema-lmes.xml",
        "ca_sema.xml",
    ),
    Download(
        "gb_hmt_sanctions",
        "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
        "gb_hmt_conlist.csv",
    ),
    Download(
        "gb_fcdo_sanctions",
        "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
        "gb_fcdo.xml",
    ),
    Download(
        "eu_fsf",
        "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
        "eu_fsf.xml",
    ),
    Download(
        "ch_seco_sanctions",
        "https://www.sesam.search.admin.ch/sesam-search-web/pages/downloadXmlGesamtliste.xhtml?lang=en&action=downloadXmlGesamtlisteAction",
        "ch_seco.xml",
    ),
    Download(
        "au_dfat_sanctions",
        "https://www.dfat.gov.au/sites/default/files/regulation8_consolidated.xlsx",
        "au_dfat.xlsx",
    ),
    Download(
        "us_trade_csl",
        "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
        "us_trade_csl.csv",
    ),
)

RETRIES = 3
USER_AGENT = "belwatch (sanctions register; +https://github.com/belwatch/belwatch)"


def fetch(
    download: Download,
    folder: Path,
    *,
    timeout: float = 60.0,
    retries: int = RETRIES,
    client: httpx.Client | None = None,
    base_url: str | None = None,
) -> tuple[Path, bool]:
    """Download one list into ``folder``. Returns the file and whether it changed."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / download.filename
    record_path = folder / f"{download.filename}.json"
    record = _read_record(record_path) if target.exists() else {}
    headers = {"User-Agent": USER_AGENT}
    if record.get("etag"):
        headers["If-None-Match"] = record["etag"]
    if record.get("last_modified"):
        headers["If-Modified-Since"] = record["last_modified"]
    url = download.url if base_url is None else base_url.rstrip("/") + "/" + download.filename
    own_client = client is None
    client = client or httpx.Client(timeout=timeout, follow_redirects=True)
    try:
        last_error = ""
        connected = False
        for attempt in range(retries):
            if attempt:
                time.sleep(min(2**attempt, 30) * 0.5)
            try:
                with client.stream("GET", url, headers=headers) as response:
                    connected = True
                    if response.status_code == 304:
                        return target, False
                    if response.status_code >= 500 or response.status_code == 429:
                        last_error = f"HTTP {response.status_code}"
                        continue
                    if response.status_code != 200:
                        raise FetchError(
                            f"{download.dataset}: {url} answered HTTP {response.status_code}"
                        )
                    changed = _save(response, target, record, record_path)
                    return target, changed
            except httpx.ConnectError as exc:
                last_error = f"cannot connect: {exc}"
            except httpx.TransportError as exc:
                connected = True
                last_error = f"{type(exc).__name__}: {exc}"
        kind = FetchError if connected else NetworkDown
        raise kind(f"{download.dataset}: {url} failed after {retries} attempts ({last_error})")
    finally:
        if own_client:
            client.close()


def _save(
    response: httpx.Response, target: Path, record: dict[str, str], record_path: Path
) -> bool:
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    size = 0
    with partial.open("wb") as out:
        for chunk in response.iter_bytes():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    expected = response.headers.get("Content-Length")
    plain = response.headers.get("Content-Encoding") in (None, "identity")
    if expected is not None and plain and int(expected) != size:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{response.url}: got {size:,} of {int(expected):,} bytes")
    sha256 = digest.hexdigest()
    changed = sha256 != record.get("sha256")
    partial.replace(target)
    new_record = {
        "url": str(response.url),
        "sha256": sha256,
        "size": str(size),
        "etag": response.headers.get("ETag", ""),
        "last_modified": response.headers.get("Last-Modified", ""),
        "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    record_path.write_text(json.dumps(new_record, indent=2))
    return changed


def _read_record(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def download_all(
    settings: Settings,
    datasets: Iterable[str] | None = None,
    *,
    log: Callable[[str], None] = lambda _: None,
) -> tuple[list[Path], list[str]]:
    """Fetch every list (or the named ones). Returns the files and the failures."""
    wanted = set(datasets) if datasets else None
    if wanted:
        unknown = wanted - {d.dataset for d in DOWNLOADS}
        if unknown:
            known = ", ".join(d.dataset for d in DOWNLOADS)
            raise FetchError(f"no download for {', '.join(sorted(unknown))}; downloadable: {known}")
    files: list[Path] = []
    failures: list[str] = []
    network_down = False
    with httpx.Client(timeout=settings.timeout, follow_redirects=True) as client:
        for download in DOWNLOADS:
            if wanted is not None and download.dataset not in wanted:
                continue
            base_url = settings.mirror
            log(f"downloading {download.dataset} from {base_url or download.url}")
            if network_down:
                failures.append(f"{download.dataset}: not attempted, the network is unavailable")
                continue
            try:
                path, changed = fetch(
                    download,
                    settings.downloads,
                    client=client,
                    timeout=settings.timeout,
                    base_url=base_url,
                )
            except NetworkDown as exc:
                network_down = True
                failures.append(str(exc))
                continue
            except FetchError as exc:
                failures.append(str(exc))
                continue
            log(f"  {'new version' if changed else 'unchanged'}: {path}")
            files.append(path)
    return files, failures
