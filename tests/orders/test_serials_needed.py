from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from packtrace.orders.lifecycle import serials_needed


def test_examples_of_the_spec() -> None:
    assert serials_needed(1000, 10) == 1100
    assert serials_needed(10, 10) == 11
    assert serials_needed(100_000, 10) == 110_000
    assert serials_needed(0, 50) == 0
    assert serials_needed(None, None) == 0
    assert serials_needed(7, None) == 7
    assert serials_needed(3, 33.4) == 5  # 4.002 rounds up


@given(st.integers(0, 100_000), st.integers(0, 10_000))
@example(50_000, 4311)  # 71,555 exactly: a float product rounds it up to 71,556
def test_equals_exact_ceiling_for_percentages_with_two_decimals(quantity: int, hundredths: int) -> None:
    percentage = hundredths / 100
    exact = math.ceil(Fraction(quantity) * (1 + Fraction(hundredths, 10_000)))
    assert serials_needed(quantity, percentage) == exact
