"""Serial numbers (AI 21): format rules and CSPRNG generation."""

import functools
import os
from collections.abc import Callable

from packtrace.gs1.charset import SET_82, invalid_set82_characters, is_set82
from packtrace.gs1.errors import GS1Error

DEFAULT_SERIAL_LENGTH = 12
MAX_SERIAL_LENGTH = 20
DEFAULT_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MIN_GUESS_FACTOR = 10_000  # EU FMD: space >= 10,000 x live serials

# A source that keeps returning the same bytes would otherwise loop forever.
_MAX_STALLED_ROUNDS = 100
# Bounds memory per round for very large batches.
_MAX_BYTES_PER_ROUND = 1 << 24


def validate_serial_format(length: int, alphabet: str) -> None:
    """Raise GS1Error unless `length` and `alphabet` form a usable serial format."""
    if not 1 <= length <= MAX_SERIAL_LENGTH:
        raise GS1Error(f"serial length must be 1 to {MAX_SERIAL_LENGTH} characters (GS1 AI 21), got {length}")
    if not alphabet:
        raise GS1Error("serial alphabet is empty; it needs at least 2 characters")
    invalid = invalid_set82_characters(alphabet)
    if invalid:
        raise GS1Error(
            "serial alphabet has characters outside GS1 character set 82: "
            f"{', '.join(map(repr, invalid))}; allowed are {SET_82}"
        )
    duplicates = [c for c in dict.fromkeys(alphabet) if alphabet.count(c) > 1]
    if duplicates:
        raise GS1Error(f"serial alphabet repeats characters {', '.join(map(repr, duplicates))}; each must appear once")
    if len(alphabet) < 2:
        raise GS1Error(f"serial alphabet must have at least 2 characters, got {alphabet!r}")


def serial_space(length: int, alphabet: str) -> int:
    """Number of possible serials of `length` characters over `alphabet`."""
    validate_serial_format(length, alphabet)
    # Annotated because mypy types int ** int as Any (negative exponents).
    space: int = len(alphabet) ** length
    return space


def max_live_serials(length: int, alphabet: str) -> int:
    """Most serials the format may carry under the EU 1-in-10,000 guessing rule."""
    return serial_space(length, alphabet) // MIN_GUESS_FACTOR


def is_valid_serial(serial: str) -> bool:
    """Whether `serial` is a valid AI 21 value: 1 to 20 characters of set 82."""
    return 1 <= len(serial) <= MAX_SERIAL_LENGTH and is_set82(serial)


@functools.lru_cache(maxsize=32)
def _translation(alphabet: str) -> tuple[bytes, bytes]:
    # Bytes at or above the largest multiple of len(alphabet) are deleted, not
    # folded: folding them would make the first 256 % n characters likelier.
    n = len(alphabet)
    accepted = 256 - 256 % n
    table = bytes(ord(alphabet[b % n]) for b in range(256))
    return table, bytes(range(accepted, 256))


def bytes_to_alphabet(data: bytes, alphabet: str) -> str:
    """Map random bytes to `alphabet` characters without modulo bias.

    Returns fewer characters than bytes: rejected bytes yield nothing.
    """
    table, delete = _translation(alphabet)
    return data.translate(table, delete).decode("ascii")


def random_serials(
    count: int,
    length: int,
    alphabet: str,
    randbytes: Callable[[int], bytes] = os.urandom,
) -> list[str]:
    """`count` distinct uniformly random serials from the CSPRNG `randbytes`."""
    validate_serial_format(length, alphabet)
    if count < 0:
        raise GS1Error(f"serial count must not be negative, got {count}")
    limit = max_live_serials(length, alphabet)
    if count > limit:
        raise GS1Error(
            f"{count} serials of {length} characters over a {len(alphabet)}-"
            f"character alphabet exceed the EU limit of {limit} "
            f"(serial space must be at least {MIN_GUESS_FACTOR} x live serials); "
            "use longer serials or a larger alphabet"
        )
    accepted = 256 - 256 % len(alphabet)
    # A dict keeps generation order, so trimming the surplus at the end does
    # not favour any serial over another.
    found: dict[str, None] = {}
    stalled = 0
    while len(found) < count:
        wanted_chars = (count - len(found)) * length
        # 5 % over the expected rejection loss makes one round the usual case.
        nbytes = wanted_chars * 256 * 105 // (accepted * 100) + 2 * length
        chars = bytes_to_alphabet(randbytes(min(nbytes, _MAX_BYTES_PER_ROUND)), alphabet)
        before = len(found)
        found.update(dict.fromkeys(chars[i : i + length] for i in range(0, len(chars) - length + 1, length)))
        stalled = stalled + 1 if len(found) == before else 0
        if stalled >= _MAX_STALLED_ROUNDS:
            raise GS1Error(
                f"could not generate {count} distinct serials: the random source "
                f"produced no new serial in {_MAX_STALLED_ROUNDS} rounds "
                f"({len(found)} found)"
            )
    return list(found)[:count]
