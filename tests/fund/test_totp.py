"""TOTP against RFC 6238's own test vectors, and the replay and clock-drift rules."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from belwatch.fund import totp

# RFC 6238 Appendix B, SHA-1: the ASCII secret "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("unix", "expected"), RFC_VECTORS)
def test_rfc6238_vectors(unix: int, expected: str) -> None:
    assert totp.code(RFC_SECRET, unix, digits=8) == expected
    assert totp.code(RFC_SECRET, unix) == expected[-6:]
    at = datetime.fromtimestamp(unix, UTC)
    assert totp.code(RFC_SECRET, at) == expected[-6:]
    assert totp.code(RFC_SECRET, at.replace(tzinfo=None)) == expected[-6:]


def test_new_secret_is_160_bits_of_base32() -> None:
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) == 20
    assert secret != totp.new_secret()


def test_uri_for_authenticator_apps() -> None:
    secret = totp.new_secret()
    link = urlsplit(totp.uri(secret, "anna.k"))
    assert (link.scheme, link.netloc) == ("otpauth", "totp")
    assert link.path == "/belwatch%20fund:anna.k"
    query = parse_qs(link.query)
    assert query == {
        "secret": [secret],
        "issuer": ["belwatch fund"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }


def test_check_accepts_current_step_and_one_either_side() -> None:
    at = 1_700_000_000
    now = totp.step(at)
    for offset in (-1, 0, 1):
        typed = totp.code(RFC_SECRET, at + offset * 30)
        assert totp.check(RFC_SECRET, typed, at, last_step=0) == now + offset
    for offset in (-2, 2):
        typed = totp.code(RFC_SECRET, at + offset * 30)
        assert totp.check(RFC_SECRET, typed, at, last_step=0) is None


def test_check_refuses_a_code_played_again() -> None:
    at = 1_700_000_000
    typed = totp.code(RFC_SECRET, at)
    used = totp.check(RFC_SECRET, typed, at, last_step=0)
    assert used == totp.step(at)
    assert totp.check(RFC_SECRET, typed, at, last_step=used) is None
    assert totp.check(RFC_SECRET, typed, at + 5, last_step=used) is None
    # An older code, still inside the window, cannot follow a newer one either.
    older = totp.code(RFC_SECRET, at - 30)
    assert totp.check(RFC_SECRET, older, at, last_step=used) is None
    # The next step's code still works.
    later = at + 30
    assert totp.check(RFC_SECRET, totp.code(RFC_SECRET, later), later, used) == used + 1


def test_check_tolerates_spaces_and_refuses_junk() -> None:
    at = 1_700_000_000
    typed = totp.code(RFC_SECRET, at)
    assert totp.check(RFC_SECRET, f" {typed[:3]} {typed[3:]} ", at, 0) == totp.step(at)
    wrong = f"{(int(typed) + 1) % 1_000_000:06d}"
    for bad in (wrong, "", typed[:5], typed + "0", "١٢٣٤٥٦", "12345x"):
        assert totp.check(RFC_SECRET, bad, at, 0) is None


def test_secret_accepted_as_apps_show_it() -> None:
    spaced = " ".join(RFC_SECRET[i : i + 4] for i in range(0, len(RFC_SECRET), 4)).lower()
    assert totp.code(spaced, 59) == "287082"


def test_bad_secrets_and_digits_refused() -> None:
    with pytest.raises(ValueError, match="base32"):
        totp.code("not base32!", 59)
    with pytest.raises(ValueError, match="16 bytes"):
        totp.code(base64.b32encode(b"short").decode(), 59)
    with pytest.raises(ValueError, match="6 to 8"):
        totp.code(RFC_SECRET, 59, digits=4)
