"""Serial numbers (AI 21): format rules and CSPRNG generation."""

import functools
import os
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

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


def random_serial_block(
    count: int,
    length: int,
    alphabet: str,
    randbytes: Callable[[int], bytes] = os.urandom,
) -> npt.NDArray[np.bytes_]:
    """`count` distinct uniformly random serials from the CSPRNG `randbytes`, as a numpy array of
    fixed-width ASCII (dtype ``S<length>``), in the order they were drawn.

    Vectorized: the bytes are filtered (rejection, so no modulo bias) and mapped to the alphabet by
    numpy, and duplicates are dropped by sorting, not by a Python set: a million serials take about a
    tenth of what building a million Python strings did."""
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
    table, accepted = _lookup(alphabet)
    found: npt.NDArray[np.bytes_] = np.empty(0, dtype=f"S{length}")
    stalled = 0
    while len(found) < count:
        wanted_chars = (count - len(found)) * length
        # 5 % over the expected rejection loss makes one round the usual case.
        nbytes = wanted_chars * 256 * 105 // (accepted * 100) + 2 * length
        raw = np.frombuffer(randbytes(min(nbytes, _MAX_BYTES_PER_ROUND)), dtype=np.uint8)
        if accepted < 256:
            raw = raw[raw < accepted]
        usable = len(raw) // length * length
        drawn = table[raw[:usable]].view(f"S{length}")
        before = len(found)
        found = _distinct_in_order(np.concatenate((found, drawn)))
        stalled = stalled + 1 if len(found) == before else 0
        if stalled >= _MAX_STALLED_ROUNDS:
            raise GS1Error(
                f"could not generate {count} distinct serials: the random source "
                f"produced no new serial in {_MAX_STALLED_ROUNDS} rounds "
                f"({len(found)} found)"
            )
    # The first `count` drawn: trimming the surplus at the end favours no serial over another.
    return found[:count]


def random_serials(
    count: int,
    length: int,
    alphabet: str,
    randbytes: Callable[[int], bytes] = os.urandom,
) -> list[str]:
    """`count` distinct uniformly random serials from the CSPRNG `randbytes`."""
    block = random_serial_block(count, length, alphabet, randbytes)
    serials: list[str] = block.astype(f"U{length}").tolist()
    return serials


@functools.lru_cache(maxsize=32)
def _lookup(alphabet: str) -> tuple[npt.NDArray[np.uint8], int]:
    """The byte -> character table and the first rejected byte (see ``_translation``)."""
    table, _ = _translation(alphabet)
    return np.frombuffer(table, dtype=np.uint8), 256 - 256 % len(alphabet)


def _distinct_in_order(serials: npt.NDArray[np.bytes_]) -> npt.NDArray[np.bytes_]:
    """The first occurrence of each serial, in the order given. The order matters: sorted serials would
    hand consecutive draws neighbouring serials.

    Serials are compared by a 64-bit fingerprint (sorting integers is ten times faster than sorting
    strings): equal serials always share one, so no duplicate survives; two different serials sharing
    one (about 1 in 10^19 per pair) only costs the later one, which another draw replaces."""
    fingerprints = _fingerprints(serials)
    ordered = np.sort(fingerprints)
    if not np.any(ordered[1:] == ordered[:-1]):
        # The usual case, and a plain sort: finding each first occurrence needs a slower stable one.
        return serials
    _, first = np.unique(fingerprints, return_index=True)
    first.sort()
    return serials[first]


def _fingerprints(serials: npt.NDArray[np.bytes_]) -> npt.NDArray[np.uint64]:
    """FNV-1a over each serial's bytes, a column at a time (a loop over the length, not the serials)."""
    width = serials.dtype.itemsize
    columns = serials.view(np.uint8).reshape(len(serials), width)
    hashes = np.full(len(serials), 0xCBF29CE484222325, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    for position in range(width):
        hashes ^= columns[:, position]
        hashes *= prime
    return hashes
