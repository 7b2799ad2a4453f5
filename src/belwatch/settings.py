"""One settings object, read from ``BELWATCH_*`` environment variables; CLI flags override."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from belwatch.exc import ConfigError

ENV_PREFIX = "BELWATCH_"

# Every setting, its environment variable and what it does: the docs are generated from this
# table and a test checks each is documented.
SETTINGS_DOC: dict[str, str] = {
    "BELWATCH_DB": "Register database: a SQLite file path or an SQLAlchemy URL "
    "(sqlite:///path.db, postgresql://user@host/db). "
    "Default: belwatch.db in the working directory.",
    "BELWATCH_FALLBACK_SOURCES": "A folder of official list files to ingest when a download fails "
    "(no network); e.g. ../shared/data/sources.",
    "BELWATCH_HOST": "Address `belwatch serve` listens on. Default: 127.0.0.1.",
    "BELWATCH_PORT": "Port `belwatch serve` listens on. Default: 8000.",
    "BELWATCH_DOWNLOAD_DIR": "Where `belwatch update` keeps downloaded list files. "
    "Default: downloads/ beside a SQLite register, else ./downloads.",
    "BELWATCH_TIMEOUT": "Seconds before a download attempt gives up. Default: 60.",
    "BELWATCH_MIRROR": "Base URL of a mirror that serves the list files under belwatch's download "
    "names (us_ofac_sdn.xml, un_sc_sanctions.xml, ...), for networks that cannot reach the "
    "official sites. Default: the official URLs.",
    "BELWATCH_SECRET_KEY": "The key that signs sign-in cookies and hashes client addresses for "
    "the sign-in limits (32 characters or more). Give every server process the same one; keep "
    "it out of the register. Default: a new random key at each start, which signs everyone "
    "out on a restart.",
    "BELWATCH_FUND_DB": "The democracy fund's database, kept apart from the register: a SQLite "
    "file path or an SQLAlchemy URL. Default: fund.db beside a SQLite register.",
    "BELWATCH_FUND_KEY_FILE": "The file holding the fund's encryption keys (JSON; create it with "
    "`belwatch fund keys`, readable by its owner only). Keep it off the database's machine "
    "and out of its backups.",
    "BELWATCH_FUND_KEYS": "The fund's encryption keys themselves (the key file's text), for "
    "servers that take secrets from the environment. Used when no key file is set.",
    "BELWATCH_FUND_ORIGIN": "The fund's address as browsers see it (https://fund.example.org): "
    "passkeys are made and checked for it, and unsafe requests to the fund from any other "
    "origin are refused. Default: the address each request was sent to (its Host), for "
    "local use.",
    "BELWATCH_FUND_RP_ID": "The passkeys' relying party id: the host of BELWATCH_FUND_ORIGIN "
    "or a domain it belongs to (example.org). Default: that host.",
}


def database_url(value: str) -> str:
    """Accept a plain file path for SQLite, or any SQLAlchemy URL."""
    value = value.strip()
    if not value:
        raise ConfigError("empty database setting: give a SQLite file path or a database URL")
    if "://" in value:
        if value.startswith("postgres://"):
            value = "postgresql://" + value[len("postgres://") :]
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value[len("postgresql://") :]
        return value
    return f"sqlite:///{Path(value).expanduser()}"


@dataclass(frozen=True)
class Settings:
    db: str = field(default_factory=lambda: database_url("belwatch.db"))
    fallback_sources: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    download_dir: Path | None = None
    timeout: float = 60.0
    mirror: str | None = None
    secret_key: str | None = None
    fund_db: str | None = None
    fund_origin: str | None = None
    fund_rp_id: str | None = None

    def __post_init__(self) -> None:
        if self.fund_origin or self.fund_rp_id:
            origin, rp_id = fund_party(self.fund_origin or "", self.fund_rp_id or "")
            object.__setattr__(self, "fund_origin", origin)
            object.__setattr__(self, "fund_rp_id", rp_id)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        unknown = sorted(k for k in env if k.startswith(ENV_PREFIX) and k not in SETTINGS_DOC)
        if unknown:
            raise ConfigError(f"unknown setting {unknown[0]}; known: {', '.join(SETTINGS_DOC)}")
        settings = cls()
        if env.get("BELWATCH_DB"):
            settings = replace(settings, db=database_url(env["BELWATCH_DB"]))
        if env.get("BELWATCH_FALLBACK_SOURCES"):
            settings = replace(settings, fallback_sources=Path(env["BELWATCH_FALLBACK_SOURCES"]))
        if env.get("BELWATCH_HOST"):
            settings = replace(settings, host=env["BELWATCH_HOST"])
        if env.get("BELWATCH_PORT"):
            settings = replace(settings, port=int(_number(env, "BELWATCH_PORT", int)))
        if env.get("BELWATCH_DOWNLOAD_DIR"):
            settings = replace(settings, download_dir=Path(env["BELWATCH_DOWNLOAD_DIR"]))
        if env.get("BELWATCH_TIMEOUT"):
            settings = replace(settings, timeout=_number(env, "BELWATCH_TIMEOUT", float))
        if env.get("BELWATCH_MIRROR"):
            settings = replace(settings, mirror=env["BELWATCH_MIRROR"])
        if env.get("BELWATCH_SECRET_KEY"):
            if len(env["BELWATCH_SECRET_KEY"]) < 32:
                raise ConfigError("BELWATCH_SECRET_KEY is too short: use 32 characters or more")
            settings = replace(settings, secret_key=env["BELWATCH_SECRET_KEY"])
        if env.get("BELWATCH_FUND_DB"):
            settings = replace(settings, fund_db=database_url(env["BELWATCH_FUND_DB"]))
        if env.get("BELWATCH_FUND_ORIGIN") or env.get("BELWATCH_FUND_RP_ID"):
            settings = replace(settings, fund_origin=env.get("BELWATCH_FUND_ORIGIN"),
                               fund_rp_id=env.get("BELWATCH_FUND_RP_ID"))  # fmt: skip
        return settings

    @property
    def fund_url(self) -> str:
        """The fund's database: its own setting, else fund.db beside a SQLite register."""
        if self.fund_db is not None:
            return self.fund_db
        if self.db.startswith("sqlite:///") and self.db != "sqlite:///:memory:":
            return f"sqlite:///{Path(self.db[len('sqlite:///') :]).parent / 'fund.db'}"
        raise ConfigError("set BELWATCH_FUND_DB: the fund keeps a database of its own")

    def with_db(self, value: str | None) -> Settings:
        return self if value is None else replace(self, db=database_url(value))

    @property
    def downloads(self) -> Path:
        if self.download_dir is not None:
            return self.download_dir
        if self.db.startswith("sqlite:///") and self.db != "sqlite:///:memory:":
            return Path(self.db[len("sqlite:///") :]).parent / "downloads"
        return Path("downloads")


def fund_party(origin: str, rp_id: str = "") -> tuple[str, str]:
    """The fund's origin as a browser writes it (scheme://host[:port], no default port) and
    the passkeys' relying party id, checked as a browser would check them: a passkey made for
    a name that the origin's host is not, nor a domain above it, could never be used."""
    origin, rp_id = origin.strip(), rp_id.strip().lower().rstrip(".")
    if not origin:
        raise ConfigError("BELWATCH_FUND_RP_ID needs BELWATCH_FUND_ORIGIN: the address the "
                          "fund's pages are served from (https://fund.example.org)")  # fmt: skip
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        parts, port = urlsplit(""), None
    host = parts.hostname or ""
    if (parts.scheme not in ("https", "http") or not host or parts.path not in ("", "/")
            or parts.query or parts.fragment or "@" in parts.netloc):  # fmt: skip
        raise ConfigError(f"BELWATCH_FUND_ORIGIN={origin!r} is not an origin such as "
                          "https://fund.example.org (a scheme and a host, no path)")  # fmt: skip
    local = host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost")
    if parts.scheme == "http" and not local:
        raise ConfigError(f"BELWATCH_FUND_ORIGIN={origin!r}: browsers use passkeys over "
                          "https only (http only on localhost)")  # fmt: skip
    named = f"[{host}]" if ":" in host else host
    default = 443 if parts.scheme == "https" else 80
    rp_id = rp_id or host
    if host != rp_id and not host.endswith("." + rp_id):
        raise ConfigError(f"BELWATCH_FUND_RP_ID={rp_id!r} is neither the host of "
                          f"BELWATCH_FUND_ORIGIN ({host}) nor a domain it belongs to")  # fmt: skip
    netloc = named if port in (None, default) else f"{named}:{port}"
    return f"{parts.scheme}://{netloc}", rp_id


def _number(env: dict[str, str], key: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(env[key])
    except ValueError:
        raise ConfigError(f"{key}={env[key]!r} is not a number") from None
