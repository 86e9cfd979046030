"""HTTP Range handling (RFC 9110, section 14): 200 / 206 / 416 decisions and headers."""

import pytest

from sandbox.ranges import (
    RangeResult,
    content_range,
    if_range_allows,
    parse_range,
    unsatisfiable_content_range,
)

SIZE = 1000
DATA = bytes(range(256)) * 3 + bytes(SIZE - 768)


# --- satisfiable single ranges -> 206 --------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-499", 0, 499),
        ("bytes=500-999", 500, 999),
        ("bytes=0-0", 0, 0),
        ("bytes=999-999", 999, 999),
        ("bytes=500-", 500, 999),  # open-ended: to the end
        ("bytes=0-", 0, 999),
        ("bytes=-200", 800, 999),  # suffix: the last 200 bytes
        ("bytes=-1", 999, 999),
        ("bytes=-1000", 0, 999),
        ("bytes=-5000", 0, 999),  # suffix longer than the content: all of it, still 206
        ("bytes=900-5000", 900, 999),  # end clamped to size - 1
        ("bytes=0-99999999999999999999999", 0, 999),
        ("bytes=007-010", 7, 10),  # leading zeros are still digits
        ("BYTES=1-2", 1, 2),  # the range unit is case-insensitive
        ("Bytes=1-2", 1, 2),
        ("  bytes=1-2\t", 1, 2),  # surrounding whitespace of the field value
        ("bytes= 1-2 ", 1, 2),  # OWS around the list element
        ("bytes=1-2,", 1, 2),  # empty list elements are ignored
        ("bytes=,1-2", 1, 2),
        ("bytes=1-2, ,", 1, 2),
    ],
)
def test_a_satisfiable_range_is_a_206(header, start, end):
    result = parse_range(header, SIZE)
    assert result == RangeResult("partial", SIZE, start, end)
    assert result.status == 206
    assert result.content_length == end - start + 1
    assert result.content_range == f"bytes {start}-{end}/{SIZE}"
    assert result.headers() == {
        "Accept-Ranges": "bytes",
        "Content-Length": str(end - start + 1),
        "Content-Range": f"bytes {start}-{end}/{SIZE}",
    }
    assert result.body(DATA) == DATA[start : end + 1]


# --- unsatisfiable ranges -> 416 -------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "bytes=1000-",  # start == size
        "bytes=1000-1000",
        "bytes=1500-2000",  # start > size
        "bytes=99999999999999999999-",
        "bytes=-0",  # a zero-length suffix selects nothing
    ],
)
def test_an_unsatisfiable_range_is_a_416(header):
    result = parse_range(header, SIZE)
    assert result.kind == "unsatisfiable"
    assert result.status == 416
    assert result.content_range == "bytes */1000"
    assert result.headers() == {
        "Accept-Ranges": "bytes",
        "Content-Length": "0",
        "Content-Range": "bytes */1000",
    }
    assert result.body(DATA) == b""


@pytest.mark.parametrize("header", ["bytes=0-", "bytes=0-0", "bytes=0-10", "bytes=-1", "bytes=-0"])
def test_any_range_of_empty_content_is_a_416(header):
    result = parse_range(header, 0)
    assert result.status == 416
    assert result.headers()["Content-Range"] == "bytes */0"
    assert result.body(b"") == b""


# --- no, ignored or invalid Range -> 200 with everything -------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "   ",
        # unknown units
        "items=0-5",
        "bits=0-5",
        "byte=0-5",
        # not a ranges-specifier
        "0-5",
        "bytes",
        "bytes 0-5",
        "bytes:0-5",
        "bytes =0-5",
        "bytes=",
        "bytes=,",
        "bytes=-",
        "bytes=abc",
        "bytes=a-b",
        "bytes=1-2-3",
        "bytes=0x10-20",
        "bytes=+1-2",
        "bytes=-+5",
        "bytes=--5",
        "bytes=1 - 2",
        "bytes=1.5-2",
        "bytes=\u0661-\u0662",  # non-ASCII digits are not DIGIT
        "garbage",
        # last-pos < first-pos makes the range invalid, so the header is ignored
        "bytes=5-2",
        "bytes=1-0",
        # several ranges: deliberately ignored (no multipart/byteranges)
        "bytes=0-1,5-6",
        "bytes=0-1, 5-6",
        "bytes=-1,0-0",
        "bytes=0-1,2000-3000",
        "bytes=2000-3000,3000-4000",
        "bytes=0-1,garbage",
    ],
)
def test_a_missing_ignored_or_invalid_range_is_a_200_with_the_whole_content(header):
    result = parse_range(header, SIZE)
    assert result.kind == "full"
    assert result.status == 200
    assert result.content_range is None
    assert result.headers() == {"Accept-Ranges": "bytes", "Content-Length": str(SIZE)}
    assert result.body(DATA) is DATA


@pytest.mark.parametrize("header", [None, "garbage", "bytes=0-1,2-3", "bytes=5-2"])
def test_empty_content_without_a_usable_range_is_a_200(header):
    result = parse_range(header, 0)
    assert result.status == 200
    assert result.headers() == {"Accept-Ranges": "bytes", "Content-Length": "0"}
    assert result.body(b"") == b""


# --- helpers and argument checks -------------------------------------------------------------


def test_content_range_helpers():
    assert content_range(0, 499, 1000) == "bytes 0-499/1000"
    assert unsatisfiable_content_range(1000) == "bytes */1000"


def test_a_negative_size_is_refused():
    with pytest.raises(ValueError, match="size"):
        parse_range("bytes=0-1", -1)


def test_body_refuses_content_of_another_size():
    with pytest.raises(ValueError, match="999 bytes"):
        parse_range("bytes=0-1", SIZE).body(DATA[:-1])


@pytest.mark.parametrize(
    ("if_range", "kwargs", "allowed"),
    [
        (None, {}, True),
        ('"v1"', {"etag": '"v1"'}, True),
        ('"v1"', {"etag": '"v2"'}, False),
        ('"v1"', {}, False),
        ('W/"v1"', {"etag": 'W/"v1"'}, False),  # weak validators never match
        ('"v1"', {"etag": 'W/"v1"'}, False),
        ("Mon, 23 Nov 2026 10:00:00 GMT", {"last_modified": "Mon, 23 Nov 2026 10:00:00 GMT"}, True),
        (
            "Mon, 23 Nov 2026 10:00:00 GMT",
            {"last_modified": "Mon, 23 Nov 2026 11:00:00 GMT"},
            False,
        ),
        ("Mon, 23 Nov 2026 10:00:00 GMT", {"etag": '"v1"'}, False),
    ],
)
def test_if_range(if_range, kwargs, allowed):
    assert if_range_allows(if_range, **kwargs) is allowed


@pytest.mark.parametrize(
    ("header", "kind", "start", "end"),
    [
        (f"bytes=0-{'9' * 5000}", "partial", 0, SIZE - 1),  # to the end, as any large end
        (f"bytes={'9' * 5000}-", "unsatisfiable", 0, 0),
        (f"bytes=-{'9' * 5000}", "partial", 0, SIZE - 1),  # a suffix longer than the content
        (f"bytes={'0' * 5000}5-9", "partial", 5, 9),  # leading zeros are still a number
    ],
)
def test_positions_of_thousands_of_digits_are_read_not_refused(header, kind, start, end):
    result = parse_range(header, SIZE)
    assert result.kind == kind
    if kind == "partial":
        assert (result.start, result.end) == (start, end)
