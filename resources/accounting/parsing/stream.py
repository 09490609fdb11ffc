"""Reading an accounting file as a stream of decoded lines, in blocks.

A binary stream (plain or gzip, detected by its magic bytes) is read in chunks of
:data:`CHUNK_BYTES` and cut into lines; memory does not grow with the file size.
Undecodable bytes, NUL characters and over-long lines are reported as bad lines in
the :class:`~.fields.ParseStats`; a broken gzip stream raises
:class:`~.fields.BadFile`.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .fields import BadFile, ParseStats

#: Bytes read from the stream at a time.
CHUNK_BYTES = 1 << 20
#: A line longer than this is a bad line (and is not kept in memory), bytes.
MAX_LINE_BYTES = 1 << 20


class CountingReader(io.RawIOBase):
    """A raw binary reader over any object with ``read(n)`` that counts the bytes read."""

    def __init__(self, source):
        self.source = source
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.source.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def open_stream(stream) -> tuple[io.BufferedIOBase, CountingReader]:
    """Wrap a binary stream for reading: gunzipped when it starts with the gzip magic
    bytes (``1f 8b``). Returns the readable stream and the counter of bytes taken
    from ``stream`` (compressed bytes for a gzip file, for the progress bar)."""
    counter = CountingReader(stream)
    buffered = io.BufferedReader(counter, CHUNK_BYTES)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered, mode="rb"), counter
    return buffered, counter


def _decode(block: bytes, first: int, stats: ParseStats) -> list[str]:
    """The lines of ``block`` (no final newline) as text; a line that is not UTF-8 or
    holds a NUL is reported as bad and replaced by an empty line (so it is not parsed
    but still counts as a data line)."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        lines = []
        for number, raw in enumerate(block.split(b"\n"), first):
            try:
                lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                stats.bad(number, _("undecodable bytes (not UTF-8) at byte %(position)d")
                          % {"position": exc.start + 1})
                stats.data_lines += 1
                lines.append("")
        text = None
    else:
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        if first == 1 and text.startswith("\ufeff"):
            text = text[1:]
        lines = text.split("\n")
    if text is None or "\x00" in text:
        for index, line in enumerate(lines):
            if "\r" in line:
                lines[index] = line = line.rstrip("\r")
            if "\x00" in line:
                stats.bad(first + index, _("a NUL character in the line"))
                stats.data_lines += 1
                lines[index] = ""
    return lines


def iter_blocks(stream: io.BufferedIOBase, stats: ParseStats) -> Iterator[tuple[int, list[str]]]:
    """Read ``stream`` by chunks and yield ``(number of the first line, lines)``.

    Lines are decoded text without their end of line. A line longer than
    :data:`MAX_LINE_BYTES` is reported as bad and dropped without being kept whole.
    Raises :class:`BadFile` when a gzip stream is broken.
    """
    line_no = 1
    rest = b""
    skipping = False
    read = stream.read
    while True:
        try:
            chunk = read(CHUNK_BYTES)
        except (EOFError, gzip.BadGzipFile, OSError) as exc:
            if isinstance(stream, gzip.GzipFile):
                raise BadFile(_("the gzip file is damaged or truncated (%(error)s)")
                              % {"error": exc}) from exc
            raise
        if not chunk:
            break
        if skipping:
            cut = chunk.find(b"\n")
            if cut < 0:
                continue
            chunk = chunk[cut + 1:]
            skipping = False
            line_no += 1
        data = rest + chunk if rest else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
        else:
            rest = data[cut + 1:]
            lines = _decode(data[:cut], line_no, stats)
            yield line_no, lines
            line_no += len(lines)
        if len(rest) > MAX_LINE_BYTES:
            stats.bad(line_no, _("line longer than %(limit)d bytes") % {"limit": MAX_LINE_BYTES})
            stats.data_lines += 1
            stats.lines_read += 1
            rest = b""
            skipping = True
    if rest and not skipping:
        yield line_no, _decode(rest, line_no, stats)
