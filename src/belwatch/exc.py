"""The exceptions belwatch raises, all under one root.

    BelwatchError            anything belwatch reports to a user
    ├── ConfigError          a setting or option that cannot work (bad --db URL, unknown dataset)
    ├── SourceError          an official list file that cannot be read: names file, record, field
    │   └── UnknownFormat    a file whose content matches no supported list format
    ├── FetchError           a list that could not be downloaded
    ├── StoreError           the register database refused an operation
    ├── CryptoError          a ciphertext that cannot be opened: tampered, moved, or under
    │                        a key the key ring lacks (says nothing of keys or content)
    └── NotFound             an entity, dataset or version that is not in the register

The CLI prints these as one-line messages with a non-zero exit code; the API maps them to
JSON problems (see ``api/errors.py``). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class BelwatchError(Exception):
    """Root of every error belwatch reports to a user."""


class ConfigError(BelwatchError):
    """A setting or option that cannot work."""


class SourceError(BelwatchError):
    """An official list file that cannot be read.

    ``file`` is the path or name of the file, ``record`` the entry in it (a line number, an
    id the list gives the entry, or an element path) and ``field`` the column or element.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.record = record
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [
            part
            for part in (
                self.file,
                f"record {self.record}" if self.record else None,
                f"field {self.field}" if self.field else None,
            )
            if part
        ]
        return f"{': '.join(where)}: {self.message}" if where else self.message


class UnknownFormat(SourceError):
    """A file whose content matches no supported list format."""


class FetchError(BelwatchError):
    """A list that could not be downloaded."""


class StoreError(BelwatchError):
    """The register database refused an operation."""


class CryptoError(BelwatchError):
    """A ciphertext or backup that cannot be opened: tampered with, moved to another record,
    or under a key the key ring lacks. The message never carries keys or content."""


class NotFound(BelwatchError):
    """An entity, dataset or version that is not in the register."""


class Conflict(BelwatchError):
    """A record someone else changed since the one writing last read it."""


class Forbidden(BelwatchError):
    """An action the one asking may not take, or a record they may not see."""


class Unauthenticated(BelwatchError):
    """Not signed in, or a sign-in refused."""
