"""The README's first command, run exactly as written: it must ingest the lists and serve."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from conftest import REPO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_readme_run_command_ingests_and_serves(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert block is not None
    command = block.group(1).splitlines()[0].split("#")[0].strip()
    port = free_port()
    env = {
        **os.environ,
        "BELWATCH_DB": str(tmp_path / "register.db"),
        "BELWATCH_PORT": str(port),
        "BELWATCH_DOWNLOAD_DIR": str(tmp_path / "downloads"),
        "BELWATCH_TIMEOUT": "5",
    }
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(2)
        else:
            raise AssertionError(
                "the UI did not come up: " + (tmp_path / "run.log").read_text()[-3000:]
            )
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=30).text
        for dataset in (
            "us_ofac_sdn",
            "un_sc_sanctions",
            "gb_hmt_sanctions",
            "eu_journal_sanctions",
        ):
            assert dataset in home
        found = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "Лукашэнка"}, timeout=30)
        assert "/entity/" in found.text
        # The lists' entries were grouped: the gap report has targets on several lists.
        gaps = httpx.get(f"http://127.0.0.1:{port}/gaps", timeout=120).json()
        widely = [
            t for t in gaps["targets"]
            if sum(c["status"] == "listed" for c in t["cells"].values()) >= 4
        ]  # fmt: skip
        assert len(widely) > 20
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
    output = (tmp_path / "run.log").read_text()
    assert "falls back" in output or "ingesting" in output
