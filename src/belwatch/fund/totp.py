"""The second factor by authenticator app: TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second
steps). No codes by SMS or e-mail: a state that runs the phone network or reads the mail
would receive them too.

A code is accepted for the current step or the one either side (clock drift), and never
for a step at or before the last one used, so a code seen over a shoulder or in a proxy
cannot be played again. Six digits fall to guessing without a limit on attempts: callers
count failures (``belwatch.lockout``). The secret and ``uri`` give the factor away: store
the secret encrypted (fund_factor.secret) and never log either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

STEP = 30
DIGITS = 6
WINDOW = 1
SECRET_BYTES = 20
MIN_SECRET_BYTES = 16
ISSUER = "belwatch fund"


def new_secret() -> str:
    """A new shared secret: 20 random bytes (160 bits, as RFC 4226 advises), base32."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code."""
    key = _normalise(secret)
    _decode(key)
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    params = {
        "secret": key.rstrip("="),
        "issuer": issuer,
        "algorithm": "SHA1",
        "digits": DIGITS,
        "period": STEP,
    }
    return f"otpauth://totp/{label}?{urlencode(params, quote_via=quote)}"


def step(at: datetime | float) -> int:
    """The 30-second step a moment falls in; a naive datetime is UTC, a number is Unix time."""
    if isinstance(at, datetime):
        at = (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
    return int(at // STEP)


def code(secret: str, at: datetime | float, digits: int = DIGITS) -> str:
    """The code for the step ``at`` falls in."""
    return _hotp(_decode(_normalise(secret)), step(at), _digits(digits))


def check(
    secret: str,
    code: str,
    at: datetime | float,
    last_step: int,
    digits: int = DIGITS,
) -> int | None:
    """The step ``code`` is valid for (to store as the factor's ``last_step``), or None: a
    wrong code, one outside the current step and the one either side, or one for a step at
    or before ``last_step`` (played again)."""
    key = _decode(_normalise(secret))
    digits = _digits(digits)
    typed = "".join(code.split())
    if len(typed) != digits or not (typed.isascii() and typed.isdigit()):
        return None
    now = step(at)
    found: int | None = None
    for offset in sorted(range(-WINDOW, WINDOW + 1), key=abs):
        candidate = now + offset
        if candidate < 0:
            continue
        matches = hmac.compare_digest(_hotp(key, candidate, digits), typed)
        if matches and candidate > last_step and found is None:
            found = candidate
    return found


def _hotp(key: bytes, counter: int, digits: int) -> str:
    """RFC 4226: dynamic truncation of HMAC-SHA-1 over the counter."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def _normalise(secret: str) -> str:
    key = "".join(secret.split()).upper().rstrip("=")
    return key + "=" * (-len(key) % 8)


def _decode(key: str) -> bytes:
    raw: bytes | None = None
    try:
        raw = base64.b32decode(key)
    except (binascii.Error, ValueError):
        raw = None
    if raw is None or len(raw) < MIN_SECRET_BYTES:
        raise ValueError(f"not a TOTP secret (base32, {MIN_SECRET_BYTES} bytes or more)")
    return raw


def _digits(digits: int) -> int:
    if not 6 <= digits <= 8:
        raise ValueError("TOTP codes have 6 to 8 digits")
    return digits
