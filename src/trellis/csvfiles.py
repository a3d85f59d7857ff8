"""Reading spreadsheet exports: text encoding, delimiter, and header names with aliases.

Pure standard library (no Django), shared by the directory import and `trellis match`, which
turn CsvFileError into their own error types.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

DELIMITERS = (",", ";", "\t")


class CsvFileError(ValueError):
    """The file as a whole cannot be read; the message says what to do about it.

    `line` is the physical line at fault when there is one (1 for the header).
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def decode(data: bytes | str) -> str:
    """The file's text: UTF-8 with or without a byte-order mark, or UTF-16 with one."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            f"The file is not UTF-8 text (unreadable byte at position {exc.start + 1}). "
            "Save or export it as 'CSV UTF-8' and try again."
        ) from None


def header_key(header: str) -> str:
    """How a header is compared with the known names: no case, spaces, dots, dashes or _."""
    return re.sub(r"[\s_.\-]+", "", header.strip().casefold())


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line uses most (comma when none)."""
    header = text.split("\n", 1)[0]
    best = max(DELIMITERS, key=header.count)
    return best if header.count(best) else ","


@dataclass(frozen=True)
class Header:
    cells: list[str]  # the header line as written
    columns: dict[str, str]  # field -> header as written
    positions: dict[str, int]  # field -> column position
    ignored: list[str]  # headers that name no known field


def read_header(text: str, lookup: Mapping[str, str]) -> tuple[Any, Header]:
    """A csv.reader positioned after the header line (its line_num counts physical lines),
    and what the header means.

    `lookup` maps header_key(alias) -> field name. Raises CsvFileError for an empty file, an
    unreadable first line, or two columns that mean the same field.
    """
    if not text.strip():
        raise CsvFileError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        cells = next(reader)
    except csv.Error as exc:
        raise CsvFileError(f"Line 1 cannot be read as CSV: {exc}.", line=1) from None
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for position, heading in enumerate(cells):
        name = lookup.get(header_key(heading))
        if name is None:
            if heading.strip():
                ignored.append(heading.strip())
            continue
        if name in columns:
            raise CsvFileError(
                f"The columns {columns[name]!r} and {heading.strip()!r} both mean {name}; "
                "keep one of them.",
                line=1,
            )
        columns[name] = heading.strip()
        positions[name] = position
    return reader, Header(cells, columns, positions, ignored)


def data_rows(reader: Any, header: Header) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Each non-blank row after the header as (physical line, field -> stripped cell), or
    (line, problem) when the row's width does not match the header's.

    Trailing empty cells beyond the header are tolerated (spreadsheets add them). A line the
    csv module cannot read raises CsvFileError naming it.
    """
    width = len(header.cells)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvFileError(f"Line {line} cannot be read as CSV: {exc}.", line=line) from None
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            cells = cells[:width]
        if len(cells) != width:
            yield (
                line,
                f"The row has {len(cells)} values but the header has {width} columns; "
                "check for a value containing the delimiter without quotes.",
            )
            continue
        yield line, {name: cells[i].strip() for name, i in header.positions.items()}
