"""Preview logs split into requests that 7digital accepts: ≤ 500 logs, ≤ 100 KiB."""

from datetime import UTC, datetime

import pytest

from sevendigital.resources.playlogs import (
    PREVIEW_LOG_BYTES_LIMIT,
    PREVIEW_LOG_LIMIT,
    PreviewLog,
    preview_batches,
)
from sevendigital.transport import encode_json

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def play(n: int, user_agent: str = "Storefront/1.0") -> PreviewLog:
    return PreviewLog(n, NOW, 12, user_agent, f"user-{n}", "GB")


def body_size(batch) -> int:
    return len(encode_json({"logs": [p.to_json() for p in batch]}))


def test_short_logs_fill_requests_of_500():
    batches = list(preview_batches(play(n) for n in range(1, 1201)))

    assert [len(b) for b in batches] == [500, 500, 200]
    assert [p.track_id for b in batches for p in b] == list(range(1, 1201))


def test_long_logs_fill_requests_up_to_100_kib_and_never_past_it():
    browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 " + "x" * 150
    plays = [play(n, browser) for n in range(1, 1001)]

    batches = list(preview_batches(plays))

    assert sum(len(b) for b in batches) == 1000
    assert all(len(b) < PREVIEW_LOG_LIMIT for b in batches)
    sizes = [body_size(b) for b in batches]
    assert max(sizes) <= PREVIEW_LOG_BYTES_LIMIT
    # Full: one more log would not have fitted.
    item = len(encode_json(plays[0].to_json())) + 1
    assert all(size + item > PREVIEW_LOG_BYTES_LIMIT for size in sizes[:-1])


def test_a_log_too_large_for_any_request_is_refused():
    with pytest.raises(ValueError, match="cannot fit"):
        list(preview_batches([play(1)], max_bytes=50))
