import collections
import itertools
import os
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from packtrace.gs1.charset import SET_82
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.serials import (
    DEFAULT_ALPHABET,
    DEFAULT_SERIAL_LENGTH,
    MIN_GUESS_FACTOR,
    bytes_to_alphabet,
    is_valid_serial,
    max_live_serials,
    random_serial_block,
    random_serials,
    serial_space,
    validate_serial_format,
)


def test_defaults() -> None:
    assert string.digits + string.ascii_uppercase == DEFAULT_ALPHABET
    assert serial_space(DEFAULT_SERIAL_LENGTH, DEFAULT_ALPHABET) == 36**12
    assert max_live_serials(12, DEFAULT_ALPHABET) == 36**12 // MIN_GUESS_FACTOR
    assert max_live_serials(4, "0123456789") == 1
    assert max_live_serials(3, "0123456789") == 0


def test_shape_and_distinctness() -> None:
    serials = random_serials(5_000, 12, DEFAULT_ALPHABET)
    assert len(serials) == 5_000
    assert len(set(serials)) == 5_000
    allowed = set(DEFAULT_ALPHABET)
    assert all(len(s) == 12 and set(s) <= allowed for s in serials)


@given(
    st.integers(1, 20),
    st.lists(st.sampled_from(SET_82), min_size=2, max_size=82, unique=True).map("".join),
    st.integers(0, 50),
)
def test_any_valid_format(length: int, alphabet: str, count: int) -> None:
    if count > max_live_serials(length, alphabet):
        with pytest.raises(GS1Error, match="exceed the EU limit"):
            random_serials(count, length, alphabet)
        return
    serials = random_serials(count, length, alphabet)
    assert len(serials) == len(set(serials)) == count
    assert all(len(s) == length and set(s) <= set(alphabet) for s in serials)
    assert all(is_valid_serial(s) for s in serials)


def test_frequencies_are_uniform() -> None:
    # 200,160 chars over 36 symbols: 5,560 expected, sd ~74; +-15 % is ~11 sd.
    chars = "".join(random_serials(16_680, 12, DEFAULT_ALPHABET))
    counts = collections.Counter(chars)
    expected = len(chars) / 36
    assert set(counts) == set(DEFAULT_ALPHABET)
    assert all(abs(n - expected) <= 0.15 * expected for n in counts.values())


def test_rejection_has_no_modulo_bias() -> None:
    # With folding, byte 255 would become "A" (255 % 3 == 0) and "A" would win.
    chars = bytes_to_alphabet(bytes(range(256)) * 4, "ABC")
    assert collections.Counter(chars) == {"A": 340, "B": 340, "C": 340}
    chars = bytes_to_alphabet(bytes(range(256)), DEFAULT_ALPHABET)
    assert collections.Counter(chars) == dict.fromkeys(DEFAULT_ALPHABET, 7)


def test_rejected_bytes_never_become_serials() -> None:
    # A source of only byte 255 must not be folded into "AAA..." serials.
    with pytest.raises(GS1Error, match="could not generate 1 distinct serials"):
        random_serials(1, 10, "ABC", randbytes=lambda n: b"\xff" * n)


def test_deterministic_cyclic_source() -> None:
    stream = itertools.cycle(range(256))

    def randbytes(n: int) -> bytes:
        return bytes(itertools.islice(stream, n))

    serials = random_serials(3, 10, "ABC", randbytes=randbytes)
    # Byte 255 is dropped, so the character stream is ABCABC... without a seam.
    assert sorted(serials) == ["ABCABCABCA", "BCABCABCAB", "CABCABCABC"]


def test_colliding_source_raises_instead_of_looping() -> None:
    with pytest.raises(GS1Error, match="could not generate 2 distinct serials"):
        random_serials(2, 12, DEFAULT_ALPHABET, randbytes=lambda n: bytes(n))


def test_repeating_source_terminates() -> None:
    block = os.urandom(64)
    calls = 0

    def randbytes(n: int) -> bytes:
        nonlocal calls
        calls += 1
        return (block * (n // 64 + 1))[:n]

    with pytest.raises(GS1Error, match="could not generate 1000 distinct serials"):
        random_serials(1_000, 12, DEFAULT_ALPHABET, randbytes=randbytes)
    assert calls <= 101


def test_count_limits() -> None:
    assert random_serials(0, 12, DEFAULT_ALPHABET) == []
    with pytest.raises(GS1Error, match="must not be negative"):
        random_serials(-1, 12, DEFAULT_ALPHABET)
    assert len(random_serials(1, 4, "0123456789")) == 1
    with pytest.raises(GS1Error, match=r"2 serials .* exceed the EU limit of 1"):
        random_serials(2, 4, "0123456789")


@pytest.mark.parametrize(
    ("alphabet", "named"),
    [
        ("AB#", "'#'"),
        ("AB C", "' '"),
        ("A@B$", "'@', '\\$'"),
        ("A$#B@ ", "'\\$', '#', '@', ' '"),
    ],
)
def test_forbidden_alphabet_characters_are_named(alphabet: str, named: str) -> None:
    with pytest.raises(GS1Error, match=f"outside GS1 character set 82: {named};"):
        validate_serial_format(12, alphabet)


@pytest.mark.parametrize(
    ("length", "alphabet", "message"),
    [
        (0, DEFAULT_ALPHABET, "length must be 1 to 20 characters .*got 0"),
        (21, DEFAULT_ALPHABET, "length must be 1 to 20 characters .*got 21"),
        (12, "", "alphabet is empty"),
        (12, "ABCA1B", "repeats characters 'A', 'B'"),
        (12, "A", "at least 2 characters, got 'A'"),
    ],
)
def test_invalid_formats(length: int, alphabet: str, message: str) -> None:
    with pytest.raises(GS1Error, match=message):
        validate_serial_format(length, alphabet)
    with pytest.raises(GS1Error, match=message):
        random_serials(1, length, alphabet)


def test_is_valid_serial() -> None:
    assert is_valid_serial("A")
    assert is_valid_serial("x" * 20)
    assert is_valid_serial("!\"%&'()*+,-./:;<=>?_")
    assert not is_valid_serial("")
    assert not is_valid_serial("x" * 21)
    assert not is_valid_serial("AB 12")
    assert not is_valid_serial("AB#12")


@given(st.text(SET_82, min_size=1, max_size=20))
def test_set82_serials_are_valid(serial: str) -> None:
    assert is_valid_serial(serial)


@given(st.text(min_size=1, max_size=20))
def test_serial_validity_is_set82_membership(serial: str) -> None:
    assert is_valid_serial(serial) == all(c in SET_82 for c in serial)


def test_block_is_fixed_width_ascii_of_the_alphabet_distinct_and_uniform() -> None:
    """The vectorized block: each position uniform over the alphabet (chi-square against the expected
    counts, an independent check of the byte mapping), every serial distinct, never sorted."""
    block = random_serial_block(60_000, 12, DEFAULT_ALPHABET)
    assert block.dtype == "S12" and len(block) == 60_000
    serials = [serial.decode("ascii") for serial in block]
    assert len(set(serials)) == 60_000
    assert serials != sorted(serials)
    assert set("".join(serials)) <= set(DEFAULT_ALPHABET)
    expected = 60_000 / len(DEFAULT_ALPHABET)
    for position in (0, 5, 11):
        counts = collections.Counter(serial[position] for serial in serials)
        chi_square = sum((counts[c] - expected) ** 2 / expected for c in DEFAULT_ALPHABET)
        # 35 degrees of freedom: 80 is beyond the 99.99th percentile.
        assert chi_square < 80, (position, chi_square)


def test_block_drops_repeats_keeping_the_first_occurrence_in_order() -> None:
    """A source repeating itself: the second copy of each serial is dropped, the order of the first kept."""
    first = os.urandom(120)
    stream = iter([first + first + os.urandom(10_000)])

    def randbytes(n: int) -> bytes:
        return next(stream, os.urandom(n))[:n]

    block = random_serial_block(13, 10, "0123456789ABCDEF", randbytes=randbytes)
    expected = [first[i : i + 10] for i in range(0, 120, 10)]
    # 16 divides 256: no byte is rejected; byte b maps to the alphabet's character b % 16.
    assert [bytes(s) for s in block[:12]] == [bytes(b"0123456789ABCDEF"[b % 16] for b in chunk) for chunk in expected]
    # The 13th is not the repeat of the first that the source gave next.
    assert len({bytes(s) for s in block}) == 13
