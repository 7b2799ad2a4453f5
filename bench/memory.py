"""Memory as the benchmarks report it: resident and peak resident size, in MiB (Linux)."""

from __future__ import annotations

from pathlib import Path


def status_mib(field: str = "VmRSS", pid: int | str = "self") -> float:
    """A size from /proc/PID/status: VmRSS (resident now) or VmHWM (the peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mib() -> float:
    """This process's resident memory now."""
    return status_mib("VmRSS")
