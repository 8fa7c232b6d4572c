"""CSV/TSV rows that survive broken quoting: a bad row is one rejection, and the rows after it still count.

Python's csv module, by default, reads a stray quote into the field and an unclosed quote swallows every
following line into one field, so rows vanish without a word. Here quoting is strict; on an error the row
is reported with the line it started on, and reading starts again on the next line.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # article bodies are longer than csv's 128 KiB default
MAX_RESTARTS = 100  # past this many broken rows the rest of the file is one rejection (no quadratic rereading)


def csv_rows(text: str, delimiter: str = ",") -> Iterator[tuple[str, dict | str]]:
    """(`row-N`, row as a dict) for each row after the header, or (`row-N`, why it is not a row)."""
    lines = io.StringIO(text, newline="").readlines()
    header_at = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    if header_at == len(lines):
        return
    try:
        header = next(csv.reader([lines[header_at]], delimiter=delimiter, strict=True))
    except csv.Error as error:
        yield "row-1", f"the header line {header_at + 1} is not valid CSV ({error}); no row can be read"
        return
    start, number = header_at + 1, 0
    for restarts in range(MAX_RESTARTS + 1):
        reader = csv.reader(lines[start:], delimiter=delimiter, strict=True)
        while True:
            first = start + reader.line_num  # index of the line this row starts on
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                number += 1
                if restarts == MAX_RESTARTS:
                    yield f"row-{number}", (f"CSV error in the row starting on line {first + 1} ({error}), and "
                                            f"{MAX_RESTARTS} broken rows before it: the rest of the file is not read")
                    return
                yield f"row-{number}", f"CSV error in the row starting on line {first + 1}: {error}"
                start = first + 1
                break
            if not fields:
                continue  # a blank line
            number += 1
            if len(fields) > len(header):
                yield f"row-{number}", f"more fields ({len(fields)}) than the header names ({len(header)})"
            else:
                yield f"row-{number}", dict(zip(header, fields + [None] * (len(header) - len(fields)), strict=True))
