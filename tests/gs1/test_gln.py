"""GLNs and SGLN Digital Link URIs, checked against biip's GLN parser."""

from __future__ import annotations

import pytest
from biip import ParseError
from biip.gln import Gln
from hypothesis import given
from hypothesis import strategies as st

from packtrace.gs1.check_digit import compute_check_digit
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gln import parse_sgln, sgln_uri, validate_gln


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_a_gln_is_valid_exactly_when_biip_parses_it(gln: str) -> None:
    try:
        Gln.parse(gln)
        biip_valid = True
    except ParseError:
        biip_valid = False
    try:
        validate_gln(gln)
        ours = True
    except GS1Error:
        ours = False
    assert ours == biip_valid


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.sampled_from([None, "dock-1", "A/B", "x"]))
def test_an_sgln_uri_reads_back_as_written(payload: str, extension: str | None) -> None:
    gln = payload + compute_check_digit(payload)
    assert parse_sgln(sgln_uri(gln, extension)) == (gln, extension)


@pytest.mark.parametrize(
    "uri",
    [
        "4012345000009",
        "https://id.gs1.org/414/4012345000008",
        "https://id.gs1.org/01/4012345000009",
        "https://id.gs1.org/414/4012345000009/254/",
        "https://id.gs1.org/414/4012345000009?x=1",
        "ftp://id.gs1.org/414/4012345000009",
        "https://id.gs1.org/414/4012345000009/254/" + "a" * 21,
    ],
)
def test_what_is_not_an_sgln_uri_is_refused(uri: str) -> None:
    with pytest.raises(GS1Error):
        parse_sgln(uri)
