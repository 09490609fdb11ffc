"""The accounting parsers field by field: times, durations, memory, GPUs, headers, streams."""

import gzip
import io

import pytest

from resources.accounting.parsing import (
    BadFile,
    BadLine,
    ParseStats,
    gpus_from_tres,
    iter_blocks,
    open_stream,
    parse,
    parse_elapsed,
    parse_requested_memory,
    parse_time_limit,
    utc_text,
)
from resources.accounting.parsing.sacct import sacct_header

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(("value", "expected"), [
    ("2016-12-21T21:43:34", "2016-12-21 21:43:34"),
    ("2016-12-21 21:43:34", "2016-12-21 21:43:34"),
    ("2016-12-21T22:43:34+01:00", "2016-12-21 21:43:34"),
    ("2016-12-21T21:43:34.250000", "2016-12-21 21:43:34.250000"),
])
def test_times_become_utc_text(value, expected):
    assert utc_text(value) == expected


@pytest.mark.parametrize("value", ["2016-13-01T00:00:00", "yesterday", "", "2016-W51-3T21:43:3"])
def test_bad_times_raise(value):
    with pytest.raises(ValueError):
        utc_text(value)


def test_week_dates_are_not_mistaken_for_plain_ones():
    # 19 characters with a 'T' at 10, but an ISO week date: converted, not copied.
    assert utc_text("2016-W51-3T21:43:34") == "2016-12-21 21:43:34"


@pytest.mark.parametrize(("value", "seconds"), [
    ("00:00:00", 0), ("01:02:03", 3723), ("7-20:39:39", 679_179), ("05:30", 330),
    ("125-00:00:00", 125 * 86400),
])
def test_elapsed(value, seconds):
    assert parse_elapsed(value) == seconds


def test_negative_elapsed_is_a_bad_line():
    with pytest.raises(BadLine, match="negative elapsed time"):
        parse_elapsed("-00:05:00")
    with pytest.raises(BadLine, match="negative elapsed time"):
        parse_elapsed("1--5:00:00")


@pytest.mark.parametrize("value", ["1:2:3:4", "", "ab:cd", "1-", "99999999-00:00:00"])
def test_unreadable_elapsed_is_a_bad_line(value):
    with pytest.raises(BadLine, match="bad elapsed time"):
        parse_elapsed(value)


@pytest.mark.parametrize(("value", "minutes"), [
    ("125-00:00:00", 180_000), ("1-00:00:00", 1440), ("02:00:00", 120), ("30:00", 30),
    ("00:30", 1), ("90", 90), ("1-12", 2160), ("UNLIMITED", None), ("Partition_Limit", None),
    ("", None), ("soon", None),
])
def test_time_limit_in_minutes(value, minutes):
    assert parse_time_limit(value) == minutes


@pytest.mark.parametrize(("value", "expected"), [
    ("48000Mn", (48000, "n")), ("4000Mc", (4000, "c")), ("4G", (4096, "")),
    ("1T", (1024 * 1024, "")), ("512", (512, "")), ("2048K", (2, "")), ("1.5Gn", (1536, "n")),
    ("", None), ("lots", None),
])
def test_requested_memory(value, expected):
    assert parse_requested_memory(value) == expected


@pytest.mark.parametrize(("tres", "gpus"), [
    ("billing=12,cpu=12,mem=48000M,node=1", 0),
    ("billing=8,cpu=8,gres/gpu=2,mem=64G,node=1", 2),
    ("cpu=4,gres/gpu:a100=3,mem=32G,node=1", 3),
    ("cpu=4,gres/gpu:a100=1,gres/gpu:v100=2,node=1", 3),
    ("cpu=4,gres/gpu:a100=1,gres/gpu=1,node=1", 1),  # typed and total: counted once
    ("cpu=4,gres/gpu=many", 0),
    ("", 0),
])
def test_gpus_from_alloc_tres(tres, gpus):
    assert gpus_from_tres(tres) == gpus


def test_header_maps_columns_by_name_in_any_case():
    positions = sacct_header(["State", "JOBID", "submit", "End", "NCPUS", "ConsumedEnergyRaw",
                              "Elapsed", "MaxRSS"])
    assert positions == {"state": 0, "jobid": 1, "submit": 2, "end": 3, "ncpus": 4,
                         "consumedenergyraw": 5, "elapsed": 6, "maxrss": 7}
    assert sacct_header(["123", "123", "algo"]) is None


def test_header_without_required_columns_is_refused():
    with pytest.raises(BadFile, match="submit, ncpus"):
        sacct_header(["JobID", "End", "State"])


def test_stream_is_read_in_blocks_with_line_numbers():
    data = b"a\nb\r\nc\n\nlast"
    stats = ParseStats()
    stream, _counter = open_stream(io.BytesIO(data))
    lines = [(first, block) for first, block in iter_blocks(stream, stats)]
    assert lines == [(1, ["a", "b", "c", ""]), (5, ["last"])]


def test_gzip_is_detected_by_its_magic_bytes():
    data = b"first\nsecond\n"
    stream, counter = open_stream(io.BytesIO(gzip.compress(data)))
    assert stream.read() == data
    assert counter.count == len(gzip.compress(data))


def test_a_broken_gzip_file_is_a_bad_file():
    damaged = gzip.compress(b"x" * 10_000)[:-20]
    batches, _counter = parse("sacct", io.BytesIO(damaged), stats=ParseStats(),
                              power=lambda partition: None)
    with pytest.raises(BadFile, match="gzip"):
        list(batches)


def test_an_overlong_line_is_bad_and_not_kept(monkeypatch):
    monkeypatch.setattr("resources.accounting.parsing.stream.MAX_LINE_BYTES", 100)
    monkeypatch.setattr("resources.accounting.parsing.stream.CHUNK_BYTES", 64)
    data = b"short\n" + b"x" * 500 + b"\nafter\n"
    stats = ParseStats()
    stream, _counter = open_stream(io.BytesIO(data))
    texts = [line for _first, block in iter_blocks(stream, stats) for line in block]
    assert "short" in texts and "after" in texts
    assert not any(text.startswith("xxx") for text in texts)
    assert stats.errors == [{"line": 2, "reason": "line longer than 100 bytes"}]


def test_unknown_format_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown accounting format"):
        parse("csv", io.BytesIO(b""), stats=ParseStats(), power=lambda partition: None)
