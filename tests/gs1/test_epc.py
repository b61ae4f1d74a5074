import pytest
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gtin import Gtin
from biip.sscc import Sscc
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from packtrace.gs1.charset import SET_82
from packtrace.gs1.digital_link import pack_uri
from packtrace.gs1.epc import parse_sgtin_urn, parse_sscc_urn, sgtin_urn, sscc_urn
from packtrace.gs1.errors import GS1Error
from tests.gs1.strategies import gtin14s, set82_values, ssccs

GTIN = "10614141073464"
SSCC = "106141411234567897"
# TDS: the set-82 characters that are percent-encoded in an EPC URN.
TDS_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}
prefix_lengths = st.integers(6, 12)


def test_standards_file_vectors() -> None:
    assert sgtin_urn(GTIN, 7, "2017") == "urn:epc:id:sgtin:0614141.107346.2017"
    assert parse_sgtin_urn("urn:epc:id:sgtin:0614141.107346.2017") == (GTIN, "2017")
    assert sscc_urn(SSCC, 7) == "urn:epc:id:sscc:0614141.1123456789"
    assert parse_sscc_urn("urn:epc:id:sscc:0614141.1123456789") == SSCC


def test_prefix_length_moves_the_dot() -> None:
    assert sgtin_urn(GTIN, 6, "1") == "urn:epc:id:sgtin:061414.1107346.1"
    assert sgtin_urn(GTIN, 12, "1") == "urn:epc:id:sgtin:061414107346.1.1"
    assert sscc_urn(SSCC, 6) == "urn:epc:id:sscc:061414.11123456789"
    assert sscc_urn(SSCC, 12) == "urn:epc:id:sscc:061414112345.16789"


@pytest.mark.parametrize("char", SET_82)
def test_serial_escaping_per_tds(char: str) -> None:
    urn = sgtin_urn(GTIN, 7, f"A{char}")
    assert urn == f"urn:epc:id:sgtin:0614141.107346.A{TDS_ESCAPES.get(char, char)}"
    assert parse_sgtin_urn(urn) == (GTIN, f"A{char}")


def test_serial_with_dots_and_lower_case_escapes() -> None:
    assert parse_sgtin_urn("urn:epc:id:sgtin:0614141.107346.a.b%2fc") == (GTIN, "a.b/c")
    assert parse_sgtin_urn("URN:EPC:id:sgtin:0614141.107346.1") == (GTIN, "1")
    assert parse_sgtin_urn("urn:epc:id:sgtin:0614141.107346.%41") == (GTIN, "A")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((GTIN, 5, "1"), "Company Prefix length must be 6 to 12, got 5"),
        ((GTIN, 13, "1"), "Company Prefix length must be 6 to 12, got 13"),
        (("0614141073464", 7, "1"), "GTIN-14"),
        (("10614141073465", 7, "1"), "has check digit 5, expected 4"),
        ((GTIN, 7, ""), "1 to 20 characters of GS1 set 82"),
        ((GTIN, 7, "S" * 21), "1 to 20 characters of GS1 set 82"),
        ((GTIN, 7, "S#1"), "1 to 20 characters of GS1 set 82"),
        ((GTIN, 7, "S 1"), "1 to 20 characters of GS1 set 82"),
    ],
)
def test_sgtin_urn_errors(args: tuple[str, int, str], message: str) -> None:
    with pytest.raises(GS1Error, match=message):
        sgtin_urn(*args)


def test_sscc_urn_errors() -> None:
    with pytest.raises(GS1Error, match="expected 7"):
        sscc_urn("106141411234567890", 7)
    with pytest.raises(GS1Error, match="Company Prefix length must be 6 to 12"):
        sscc_urn(SSCC, 13)


@pytest.mark.parametrize(
    ("urn", "message"),
    [
        ("urn:epc:id:sgln:0614141.107346.1", "starting with 'urn:epc:id:sgtin:'"),
        ("urn:epc:tag:sgtin-96:0614141.107346.1", "starting with"),
        ("urn:epc:id:sgtin:0614141.107346", "three parts"),
        ("urn:epc:id:sgtin:0614141.10734.1", "13 digits with the company prefix"),
        ("urn:epc:id:sgtin:0614141.1073466.1", "13 digits with the company prefix"),
        ("urn:epc:id:sgtin:06141.41107346.1", "company prefix .* must be 6 to 12 digits"),
        ("urn:epc:id:sgtin:0614141073464.0.1", "company prefix .* must be 6 to 12 digits"),
        ("urn:epc:id:sgtin:061414a.107346.1", "company prefix .* must be 6 to 12 digits"),
        ("urn:epc:id:sgtin:0614141.10734x.1", "13 digits"),
        ("urn:epc:id:sgtin:0614141.107346.", "1 to 20 characters"),
        (f"urn:epc:id:sgtin:0614141.107346.{'1' * 21}", "1 to 20 characters"),
        ("urn:epc:id:sgtin:0614141.107346.a/b", "'/' at position 1, which must be percent-encoded"),
        ("urn:epc:id:sgtin:0614141.107346.a?b", "must be percent-encoded"),
        ('urn:epc:id:sgtin:0614141.107346.a"b', "must be percent-encoded"),
        ("urn:epc:id:sgtin:0614141.107346.a b", "must be percent-encoded"),
        ("urn:epc:id:sgtin:0614141.107346.a%2", "malformed percent-escape"),
        ("urn:epc:id:sgtin:0614141.107346.a%zz", "malformed percent-escape"),
        ("urn:epc:id:sgtin:0614141.107346.a%23", "set 82"),
    ],
)
def test_parse_sgtin_errors(urn: str, message: str) -> None:
    with pytest.raises(GS1Error, match=message):
        parse_sgtin_urn(urn)


@pytest.mark.parametrize(
    ("urn", "message"),
    [
        ("urn:epc:id:sgtin:0614141.1123456789", "starting with 'urn:epc:id:sscc:'"),
        ("urn:epc:id:sscc:0614141", "two parts"),
        ("urn:epc:id:sscc:0614141.112345678", "17 digits with the company prefix"),
        ("urn:epc:id:sscc:0614141.11234567890", "17 digits with the company prefix"),
        ("urn:epc:id:sscc:0614141.1123456789.7", "17 digits"),
        ("urn:epc:id:sscc:06141.411123456789", "company prefix .* must be 6 to 12 digits"),
    ],
)
def test_parse_sscc_errors(urn: str, message: str) -> None:
    with pytest.raises(GS1Error, match=message):
        parse_sscc_urn(urn)


# --- properties -------------------------------------------------------------


@settings(max_examples=400)
@given(gtin14s, prefix_lengths, set82_values)
def test_sgtin_round_trip(gtin: str, length: int, serial: str) -> None:
    urn = sgtin_urn(gtin, length, serial)
    assert parse_sgtin_urn(urn) == (gtin, serial)
    company_prefix, item_reference, escaped = urn.removeprefix("urn:epc:id:sgtin:").split(".", 2)
    assert company_prefix == gtin[1 : 1 + length]
    assert len(company_prefix + item_reference) == 13
    assert item_reference[0] == gtin[0]
    assert "".join(TDS_ESCAPES.get(c, c) for c in serial) == escaped


@given(ssccs, prefix_lengths)
def test_sscc_round_trip(sscc: str, length: int) -> None:
    urn = sscc_urn(sscc, length)
    assert parse_sscc_urn(urn) == sscc
    company_prefix, serial_reference = urn.removeprefix("urn:epc:id:sscc:").split(".")
    assert len(company_prefix) == length
    assert len(company_prefix + serial_reference) == 17


# --- against biip: its GS1 company prefix table and its Digital Link parser --


@given(gtin14s, set82_values)
def test_sgtin_split_matches_biip_company_prefix(gtin: str, serial: str) -> None:
    parsed = Gtin.parse(gtin)
    assume(parsed.company_prefix is not None and parsed.item_reference is not None)
    assert parsed.company_prefix is not None
    prefix = parsed.company_prefix.value
    urn = sgtin_urn(gtin, len(prefix), serial)
    assert urn.startswith(f"urn:epc:id:sgtin:{prefix}.{gtin[0]}{parsed.item_reference}.")


@given(ssccs)
def test_sscc_split_matches_biip(sscc: str) -> None:
    parsed = Sscc.parse(sscc)
    assume(parsed.company_prefix is not None)
    assert parsed.company_prefix is not None
    extension, prefix, serial_reference, _check = parsed.as_hri().split(" ")
    assert sscc_urn(sscc, len(prefix)) == f"urn:epc:id:sscc:{prefix}.{extension}{serial_reference}"


@settings(max_examples=300)
@given(gtin14s, prefix_lengths, set82_values)
def test_urn_and_digital_link_name_the_same_pack(gtin: str, length: int, serial: str) -> None:
    # TDS: urn:epc:id:sgtin:0614141.107346.2017 = https://id.gs1.org/01/10614141073464/21/2017
    dl = GS1DigitalLinkURI.parse(pack_uri(gtin, serial))
    expected = [(es.ai.ai, es.value) for es in dl.element_strings]
    assert list(zip(("01", "21"), parse_sgtin_urn(sgtin_urn(gtin, length, serial)), strict=True)) == expected
