"""Downloads against a local HTTP server: retries, conditional requests, checksums."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from belwatch.cli import cli
from belwatch.exc import FetchError
from belwatch.settings import Settings
from belwatch.sources.fetch import DOWNLOADS, Download, download_all, fetch

from store.test_store import V2021


@dataclass
class Server:
    url: str
    files: dict[str, bytes] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)  # path -> 503s before success
    short: set[str] = field(default_factory=set)  # paths answered with fewer bytes than promised
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.lstrip("/")
            state.requests.append((name, dict(self.headers)))
            if state.failures.get(name, 0) > 0:
                state.failures[name] -= 1
                self.send_error(503)
                return
            if name not in state.files:
                self.send_error(404)
                return
            body = state.files[name]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(usegmt=True))
            self.send_header("Content-Length", str(len(body) + (100 if name in state.short else 0)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_download_then_conditional_request(server: Server, tmp_path: Path) -> None:
    server.files["un.xml"] = b"<CONSOLIDATED_LIST/>"
    item = Download("un_sc_sanctions", f"{server.url}/un.xml", "un.xml")
    path, changed = fetch(item, tmp_path, retries=1)
    assert changed and path.read_bytes() == b"<CONSOLIDATED_LIST/>"
    record = json.loads((tmp_path / "un.xml.json").read_text())
    assert record["sha256"] == hashlib.sha256(b"<CONSOLIDATED_LIST/>").hexdigest()
    path, changed = fetch(item, tmp_path, retries=1)
    assert not changed
    assert server.requests[-1][1].get("If-None-Match") == record["etag"]


def test_retries_server_errors(server: Server, tmp_path: Path) -> None:
    server.files["x.csv"] = b"a,b\n"
    server.failures["x.csv"] = 2
    path, changed = fetch(
        Download("us_trade_csl", f"{server.url}/x.csv", "x.csv"), tmp_path, retries=3
    )
    assert changed and path.read_bytes() == b"a,b\n"
    assert len(server.requests) == 3


def test_gives_up_with_a_clear_error(server: Server, tmp_path: Path) -> None:
    server.files["x.csv"] = b"a,b\n"
    server.failures["x.csv"] = 5
    with pytest.raises(
        FetchError, match=r"us_trade_csl: .*x.csv failed after 2 attempts \(HTTP 503\)"
    ):
        fetch(Download("us_trade_csl", f"{server.url}/x.csv", "x.csv"), tmp_path, retries=2)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(Download("us_trade_csl", f"{server.url}/missing", "missing"), tmp_path, retries=2)


def test_short_download_is_not_kept(server: Server, tmp_path: Path) -> None:
    server.files["old.xml"] = b"<a/>"
    item = Download("un_sc_sanctions", f"{server.url}/old.xml", "old.xml")
    fetch(item, tmp_path, retries=1)
    server.files["old.xml"] = b"<bigger/>"
    server.short.add("old.xml")
    with pytest.raises(FetchError):
        fetch(item, tmp_path, retries=1)
    assert (tmp_path / "old.xml").read_bytes() == b"<a/>"  # the good copy stays


def test_update_downloads_from_a_mirror_and_ingests(server: Server, tmp_path: Path) -> None:
    body = "".join(json.dumps(e) + "\n" for e in V2021).encode()
    first = DOWNLOADS[0]
    server.files[first.filename] = body
    db = tmp_path / "r.db"
    env = {"BELWATCH_MIRROR": server.url, "BELWATCH_DOWNLOAD_DIR": str(tmp_path / "dl")}
    result = CliRunner().invoke(
        cli, ["update", "--dataset", first.dataset, "--db", str(db)], obj={}, env=env
    )
    assert result.exit_code == 0, result.output
    assert "ingested" in result.output and first.filename in result.output
    again = CliRunner().invoke(
        cli, ["update", "--dataset", first.dataset, "--db", str(db)], obj={}, env=env
    )
    assert "unchanged" in again.output


def test_update_falls_back_to_local_files(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "list_2021-03-01.json").write_text("".join(json.dumps(e) + "\n" for e in V2021))
    env = {
        "BELWATCH_MIRROR": "http://127.0.0.1:9",  # nothing listens on the discard port
        "BELWATCH_FALLBACK_SOURCES": str(folder),
        "BELWATCH_DOWNLOAD_DIR": str(tmp_path / "dl"),
        "BELWATCH_TIMEOUT": "2",
    }
    result = CliRunner().invoke(cli, ["update", "--db", str(tmp_path / "r.db")], obj={}, env=env)
    assert result.exit_code == 0, result.output
    assert "ingesting" in result.output and "list_2021-03-01.json" in result.output


def test_unknown_dataset_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="no download for nowhere"):
        download_all(Settings(download_dir=tmp_path), ["nowhere"])
