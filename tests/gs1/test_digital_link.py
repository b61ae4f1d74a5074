import pytest
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_messages import GS1Message
from hypothesis import given, settings
from hypothesis import strategies as st

from packtrace.gs1.digital_link import DEFAULT_RESOLVER, pack_uri, parse_uri, sscc_uri
from packtrace.gs1.element_string import Pair, pack_pairs, to_raw
from packtrace.gs1.errors import GS1Error
from tests.gs1.strategies import Pack, packs, ssccs, yymmdd_date

GTIN = "10614141073464"
SSCC = "106141411234567897"
SYMBOLS = "!\"%&'()*+,-./:;<=>?_"


def test_standards_file_example() -> None:
    assert DEFAULT_RESOLVER == "https://id.gs1.org"
    assert pack_uri(GTIN, "2017") == "https://id.gs1.org/01/10614141073464/21/2017"
    assert parse_uri("https://id.gs1.org/01/10614141073464/21/2017") == [("01", GTIN), ("21", "2017")]


def test_full_pack_uri() -> None:
    uri = pack_uri(GTIN, "S1", batch="B1", expiry="261200")
    assert uri == "https://id.gs1.org/01/10614141073464/10/B1/21/S1?17=261200"
    assert parse_uri(uri) == [("01", GTIN), ("10", "B1"), ("21", "S1"), ("17", "261200")]


def test_every_symbol_of_set82_is_percent_encoded() -> None:
    uri = pack_uri(GTIN, SYMBOLS[:10], batch=SYMBOLS[10:])
    assert uri == "https://id.gs1.org/01/10614141073464/10/-.%2F%3A%3B%3C%3D%3E%3F_/21/%21%22%25%26%27%28%29%2A%2B%2C"
    uri = pack_uri(GTIN, "-./")
    assert uri.endswith("/21/-.%2F")
    assert parse_uri(uri)[1] == ("21", "-./")


@pytest.mark.parametrize(
    ("resolver", "base"),
    [
        ("https://id.gs1.org/", "https://id.gs1.org"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("https://example.com/dl/", "https://example.com/dl"),
        ("https://example.com/01/x", "https://example.com/01/x"),
    ],
)
def test_resolver(resolver: str, base: str) -> None:
    assert pack_uri(GTIN, "S1", resolver=resolver) == f"{base}/01/{GTIN}/21/S1"
    assert sscc_uri(SSCC, resolver=resolver) == f"{base}/00/{SSCC}"
    assert parse_uri(f"{base}/01/{GTIN}/21/S1") == [("01", GTIN), ("21", "S1")]


@pytest.mark.parametrize(
    "resolver",
    ["id.gs1.org", "ftp://id.gs1.org", "https://", "https:///path", "https://x.org?a=1", "https://x.org/#f",
     "https://x .org", "https://x.org/%zz", "https://exämple.org", "mailto:x@y.org"],
)  # fmt: skip
def test_bad_resolver(resolver: str) -> None:
    with pytest.raises(GS1Error, match="resolver must be an https:// or http:// URL"):
        pack_uri(GTIN, "S1", resolver=resolver)
    with pytest.raises(GS1Error, match="resolver must be"):
        sscc_uri(SSCC, resolver=resolver)


def test_values_are_validated() -> None:
    with pytest.raises(GS1Error, match=r"AI 10 \(batch\) .* got 21 characters"):
        pack_uri(GTIN, "S1", batch="B" * 21)
    with pytest.raises(GS1Error, match=r"AI 21 \(serial\) .*'#'"):
        pack_uri(GTIN, "S#1")
    with pytest.raises(GS1Error, match="expected 4"):
        pack_uri("10614141073465", "S1")
    with pytest.raises(GS1Error, match="month must be 01 to 12, got 13"):
        pack_uri(GTIN, "S1", expiry="261301")
    with pytest.raises(GS1Error, match="expected 7"):
        sscc_uri("106141411234567890")


def test_sscc_uri() -> None:
    assert sscc_uri(SSCC) == "https://id.gs1.org/00/106141411234567897"
    assert parse_uri(sscc_uri(SSCC)) == [("00", SSCC)]


@pytest.mark.parametrize(
    ("gtin", "gtin14"),
    [("96385074", "00000096385074"), ("614141000036", "00614141000036"), ("6291041500213", "06291041500213")],
)
def test_short_gtins_are_padded(gtin: str, gtin14: str) -> None:
    assert parse_uri(f"https://example.com/01/{gtin}/21/X") == [("01", gtin14), ("21", "X")]


def test_parse_liberal_forms() -> None:
    # Other query parameters, a fragment, lower-case escapes and unencoded
    # sub-delimiters (allowed by RFC 3986) are all read.
    uri = f"HTTPS://example.com/a/b/01/{GTIN}/10/a%2fb/21/x(1)*?linkType=gs1:pip&17=261200&exp=1#frag"
    assert parse_uri(uri) == [("01", GTIN), ("10", "a/b"), ("21", "x(1)*"), ("17", "261200")]
    assert parse_uri(f"https://example.com/00/{SSCC}?10=B1&11=250100") == [("00", SSCC), ("10", "B1"), ("11", "250100")]
    # "+" is a plus sign in a URI, not a space (that is HTML form encoding).
    assert parse_uri(f"https://example.com/01/{GTIN}/21/A+B") == [("01", GTIN), ("21", "A+B")]
    assert parse_uri(f"https://example.com/00/{SSCC}?10=A+B") == [("00", SSCC), ("10", "A+B")]


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (f"ftp://id.gs1.org/01/{GTIN}", "https:// or http:// URL"),
        (f"/01/{GTIN}", "https:// or http:// URL"),
        (f"https:///01/{GTIN}", "https:// or http:// URL"),
        ("https://id.gs1.org/", "must end with /01/"),
        (f"https://id.gs1.org/01/{GTIN}/21/S1/", "must end with /01/"),
        (f"https://id.gs1.org/01/{GTIN}/22/ABC", "must end with /01/"),
        (f"https://id.gs1.org/01/{GTIN}/21/S1/10/B1", "each once and in that order"),
        (f"https://id.gs1.org/01/{GTIN}/21/S1/21/S2", "each once and in that order"),
        (f"https://id.gs1.org/00/{SSCC}/21/S1", "only the qualifiers \\(none\\)"),
        ("https://id.gs1.org/01/10614141073465/21/S1", r"AI 01 \(GTIN\): .*expected 4"),
        ("https://id.gs1.org/01/10614141073/21/S1", r"AI 01 \(GTIN\): GTIN must have 8, 12, 13 or 14 digits"),
        ("https://id.gs1.org/00/106141411234567890", "expected 7"),
        (f"https://id.gs1.org/01/{GTIN}/21/S%231", "outside set 82: '#'"),
        (f"https://id.gs1.org/01/{GTIN}/21/S%201", "outside set 82: ' '"),
        (f"https://id.gs1.org/01/{GTIN}/21/S 1", "must be percent-encoded: ' '"),
        (f'https://id.gs1.org/01/{GTIN}/21/S"1', "must be percent-encoded: '\"'"),
        (f"https://id.gs1.org/01/{GTIN}/21/S%G1", "malformed percent-encoding"),
        (f"https://id.gs1.org/01/{GTIN}/21/S%2", "malformed percent-encoding"),
        (f"https://id.gs1.org/01/{GTIN}/21/S%C3%A9", "outside set 82: 'é'"),
        (f"https://id.gs1.org/01/{GTIN}/21/S%FF", "not UTF-8"),
        (f"https://id.gs1.org/01/{GTIN}/21/{'S' * 21}", "got 21 characters"),
        (f"https://id.gs1.org/01/{GTIN}/21/S1?17=261301", "month must be 01 to 12, got 13"),
        (f"https://id.gs1.org/01/{GTIN}/21/S1?17=261201&17=261202", "AI 17 appears more than once"),
        (f"https://id.gs1.org/01/{GTIN}/21/S1?10=B1", "AI 10 belongs in the path"),
        (f"https://id.gs1.org/01/{GTIN}?00={SSCC}", "AI 00 belongs in the path"),
        (f"https://id.gs1.org/01/{GTIN}/21/S1?3103=000195", "unknown or unsupported AI '3103'"),
    ],
)
def test_parse_errors(uri: str, message: str) -> None:
    with pytest.raises(GS1Error, match=message):
        parse_uri(uri)


# --- properties and biip ----------------------------------------------------


def uri_of(pack: Pack) -> str:
    return pack_uri(pack.gtin, pack.serial, pack.batch, pack.expiry)


def dl_pairs(pack: Pack) -> list[Pair]:
    """The pack's pairs in Digital Link order: key, qualifiers, then the query."""
    pairs = [("01", pack.gtin)]
    if pack.batch is not None:
        pairs.append(("10", pack.batch))
    pairs.append(("21", pack.serial))
    if pack.expiry is not None:
        pairs.append(("17", pack.expiry))
    return pairs


@settings(max_examples=400)
@given(packs())
def test_round_trip(pack: Pack) -> None:
    uri = uri_of(pack)
    assert parse_uri(uri) == dl_pairs(pack)
    assert sorted(parse_uri(uri)) == sorted(pack_pairs(pack.gtin, pack.serial, pack.batch, pack.expiry))
    path = uri.removeprefix(DEFAULT_RESOLVER).partition("?")[0]
    assert set(path) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%/")


@given(ssccs)
def test_sscc_round_trip_and_biip(sscc: str) -> None:
    uri = sscc_uri(sscc, resolver="https://example.com/x/")
    assert parse_uri(uri) == [("00", sscc)]
    assert [(es.ai.ai, es.value) for es in GS1DigitalLinkURI.parse(uri).element_strings] == [("00", sscc)]


@settings(max_examples=400)
@given(packs())
def test_biip_reads_our_uri(pack: Pack) -> None:
    uri = uri_of(pack)
    dl = GS1DigitalLinkURI.parse(uri)
    assert [(es.ai.ai, es.value) for es in dl.element_strings] == dl_pairs(pack)
    message = dl.as_gs1_message()
    gtin = message.element_strings.get(ai="01")
    assert gtin is not None
    assert gtin.gtin is not None
    assert gtin.gtin.as_gtin_14() == pack.gtin
    serial = message.element_strings.get(ai="21")
    assert serial is not None
    assert serial.value == pack.serial
    batch = message.element_strings.get(ai="10")
    assert (batch.value if batch else None) == pack.batch
    expiry = message.element_strings.get(ai="17")
    assert (expiry.date if expiry else None) == (yymmdd_date(pack.expiry) if pack.expiry else None)
    # biip's canonical URI, built by its own encoder, is ours character for character.
    assert dl.as_canonical_uri() == uri


@given(packs())
def test_biip_builds_the_uri_we_build(pack: Pack) -> None:
    message = GS1Message.parse(to_raw(pack_pairs(pack.gtin, pack.serial, pack.batch, pack.expiry)))
    biip_uri = message.as_gs1_digital_link_uri().as_uri(domain="example.com")
    assert biip_uri == pack_uri(pack.gtin, pack.serial, pack.batch, pack.expiry, resolver="https://example.com")
    assert sorted(parse_uri(biip_uri)) == sorted(dl_pairs(pack))


@given(st.sampled_from(["96385074", "614141000036", "6291041500213"]), st.text("0123456789", min_size=1, max_size=20))
def test_short_gtin_like_biip(gtin: str, serial: str) -> None:
    uri = f"https://id.gs1.org/01/{gtin}/21/{serial}"
    biip_values = [(es.ai.ai, es.value) for es in GS1DigitalLinkURI.parse(uri).element_strings]
    assert parse_uri(uri) == biip_values
