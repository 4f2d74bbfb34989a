"""Tables from uploaded files, CSV or XLSX, read within bounds.

Frameworks' skills tables, the DDaT role table and the people import read
their files here. A hostile file (a zip bomb, a sheet claiming a million
rows, a cell of gigabytes) gets a clear FileImportError within seconds and
bounded memory instead of pinning a worker.
"""

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass

from defusedxml import DefusedXmlException

from competency.problems import FileProblem


class FileImportError(FileProblem, Exception):
    """Bad input, with the file, row and column (or JSON path) it was found at."""

    def __init__(self, message, *, name="", row=None, column=None, path=None):
        super().__init__(message)
        self.message = message
        self.name = name
        self.row = row
        self.column = column
        self.path = path

    @property
    def where(self):
        place = []
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.column:
            place.append(f"column '{self.column}'")
        if self.path:
            place.append(self.path)
        return ", ".join(place)

    def __str__(self):
        place = ", ".join(part for part in (self.name, self.where) if part)
        return f"{place}: {self.message}" if place else self.message


# What one table may make the reader do. A hostile file gets a message within
# seconds and bounded memory instead of pinning a worker.
MAX_ROWS = 100_000  # rows of the table below its header, empty ones not counted


# Empty rows cost next to nothing (openpyxl fills in the numbers a sheet skips
# without parsing anything), so a stray cell far below a table is harmless;
# but a row number beyond what a spreadsheet can have would make openpyxl
# fill in rows without end.
LAST_ROW = 1_048_576


MAX_REPEATS = 1_000  # the same row again and again is generated, not a table


MAX_COLUMNS = 100  # wider than this is not one of our tables


MAX_CELL = 32_767  # the most characters a spreadsheet cell can hold


# An XLSX is a zip of XML parts. Its directory states each part's size, and
# zipfile never unpacks more than that, so checking the stated sizes first
# bounds what openpyxl can be made to unpack. A 5 MB upload of a real
# workbook unpacks to tens of MB and packs text about 5:1 to 20:1; a zip
# bomb packs about 1,000:1.
MAX_UNPACKED = 50 * 1024 * 1024


# A CSV or JSON file is its own unpacked size. The command reads no more
# than one byte past this, so a file of gigabytes costs 50 MB to refuse.
MAX_FILE = MAX_UNPACKED


MAX_PARTS = 1_000


MAX_RATIO = 100


RATIO_FROM = 1024 * 1024  # smaller parts cannot cost much, however packed


# openpyxl spends a few microseconds on each XML tag (here, 4 µs on a busy
# machine): 2,200,000 tiny shared strings in 49 MB took 32 s and 400 MB.
# Counting the '<' of the unpacked parts (at C speed, a tenth of a second for
# 50 MB) bounds that work before openpyxl starts, to about 2 s. A row of
# eight cells takes 25 to 50 tags, so this is a table of 10,000 to 20,000
# rows; a bigger one can come as CSV, which costs far less to read.
MAX_TAGS = 500_000


def read_table(data: bytes, name: str, columns: list[str]):
    """Rows of a CSV or XLSX table as (row number, {column: text}).

    Headers match case-insensitively and extra columns are ignored. Row 1 is
    the header, as a spreadsheet numbers it. Empty rows are skipped."""
    return read_sheet(data, name, columns).rows


@dataclass
class Sheet:
    """A table as read_sheet() found it: its rows, and the spreadsheet letter
    of each column found, so that an error can say "row 12, column D"."""

    rows: list  # (row number, {column: text})
    letters: dict  # column name -> "A", "B", …


def column_letter(index):
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_sheet(data: bytes, name: str, columns: list[str], optional=()) -> Sheet:
    """read_table(), with `optional` columns that a file may leave out (they
    read as "" when absent) and each column's letter. The same bounds."""
    check_size(data, name)
    if not data.strip():
        raise FileImportError("the file is empty; expected a table with a header row", name=name)
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data, name)
    elif b"\x00" in data:
        raise FileImportError("this is a binary file; expected CSV or XLSX", name=name)
    else:
        rows = _csv_rows(data, name)
    try:
        return _table(rows, name, columns, tuple(optional))
    finally:
        # Let go of the workbook now, even when the table was refused halfway.
        rows.close()


def check_size(data, name):
    if len(data) > MAX_FILE:
        raise FileImportError(
            f"the file is larger than {_megabytes(MAX_FILE)}, the most a framework file may "
            "be; split it into smaller files",
            name=name,
        )


def _table(rows, name, columns, optional=()):
    header_row, header = next(rows, (1, []))
    if len(header) > MAX_COLUMNS:
        raise FileImportError(
            f"the header has {len(header):,} columns; a table may have at most {MAX_COLUMNS}",
            name=name,
            row=header_row,
        )
    _check_cells(header, header, name, header_row)
    positions = {}
    for index, title in enumerate(header):
        key = " ".join(str(title or "").split()).casefold()
        positions.setdefault(key, index)
    missing = [column for column in columns if column.casefold() not in positions]
    if missing:
        found = ", ".join(str(title) for title in header if title) or "nothing"
        raise FileImportError(
            f"missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)}; the header has: {found}",
            name=name,
            row=header_row,
        )
    present = [column for column in optional if column.casefold() in positions]
    letters = {
        column: column_letter(positions[column.casefold()]) for column in [*columns, *present]
    }
    table = []
    previous, repeats = None, 0
    for number, cells in rows:
        if number > LAST_ROW:
            raise FileImportError(
                f"the table goes on past row {LAST_ROW:,}, the last a spreadsheet can have",
                name=name,
                row=number,
            )
        # any() first: most empty rows are all None, and it checks those at C speed.
        if not any(cells) or not any(str(cell or "").strip() for cell in cells):
            continue
        if len(table) == MAX_ROWS:
            raise FileImportError(
                f"the table has more than {MAX_ROWS:,} rows; split it into smaller files",
                name=name,
                row=number,
            )
        if len(cells) != len(header):
            raise FileImportError(
                f"this row has {len(cells)} fields; the header has {len(header)}",
                name=name,
                row=number,
            )
        _check_cells(cells, header, name, number)
        repeats = repeats + 1 if cells == previous else 0
        if repeats >= MAX_REPEATS:
            raise FileImportError(
                f"this row is the same as the {MAX_REPEATS:,} rows above it; a table lists "
                "each row once",
                name=name,
                row=number,
            )
        previous = cells
        row = {column: _text(cells[positions[column.casefold()]]) for column in columns}
        for column in optional:
            index = positions.get(column.casefold())
            row[column] = "" if index is None else _text(cells[index])
        table.append((number, row))
    if not table:
        raise FileImportError("the table has a header but no rows", name=name, row=2)
    return Sheet(table, letters)


def _check_cells(cells, header, name, number):
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL:
            title = str(header[index] or "") if index < len(header) else ""
            raise FileImportError(
                f"this cell holds {len(cell):,} characters; a cell may hold at most {MAX_CELL:,}",
                name=name,
                row=number,
                column=" ".join(title.split())[:100] or None,
            )


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _csv_rows(data, name):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileImportError(
            "the file is not UTF-8 text; save it as 'CSV UTF-8' and try again",
            name=name,
            row=line,
        ) from exc
    # The csv module bounds each field (csv.field_size_limit, 131,072
    # characters unless changed), so one huge field costs no more than that.
    reader = csv.reader(io.StringIO(text, newline=""))
    # Rows are numbered as records (a cell may hold a line break), which is how
    # a spreadsheet shows them.
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as exc:
        message = f"this is not a readable CSV table: {exc}"
        if "field larger than field limit" in str(exc):
            message = (
                f"a field is longer than {csv.field_size_limit():,} characters; a cell may "
                f"hold at most {MAX_CELL:,}"
            )
        raise FileImportError(message, name=name, row=number + 1) from exc


# What openpyxl and the zip and XML layers under it raise on a damaged or
# hostile workbook: openpyxl checks little itself, so a broken part surfaces
# as whatever the code reading it tripped on. (DefusedXmlException, for a
# part that declares entities, is a ValueError; the XML parser's ParseError
# is a SyntaxError.)
XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    NotImplementedError,
)


def _xlsx_rows(data, name):
    """The first sheet's header row, then its rows as wide as the header.

    The sheet's own statement of its size is ignored: a 5 KB file may claim
    16,384 columns × 1,048,576 rows, and openpyxl would fill them all in."""
    _check_packing(data, name)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except XLSX_ERRORS as exc:
        raise _unreadable(exc, name) from exc
    try:
        if not workbook.worksheets:
            raise FileImportError(
                "the workbook has no sheets; expected the table on its first sheet", name=name
            )
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        number = 0
        try:
            header = list(next(sheet.iter_rows(max_row=1, values_only=True), ()))
            while header and str(header[-1] or "").strip() == "":
                header.pop()
            number = 1
            yield number, header
            if not header:
                return
            rows = sheet.iter_rows(min_row=2, max_col=len(header), values_only=True)
            for number, cells in enumerate(rows, start=2):
                yield number, list(cells)
        except XLSX_ERRORS as exc:
            raise _unreadable(exc, name, after=number) from exc
    finally:
        workbook.close()


def _check_packing(data, name):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_stated_sizes(archive.infolist(), name)
            tags = _count_tags(archive)
    except XLSX_ERRORS as exc:
        raise _unreadable(exc, name) from exc
    if tags > MAX_TAGS:
        raise FileImportError(
            f"the workbook holds more than {MAX_TAGS:,} XML tags, more than a table of "
            f"{MAX_TAGS // 50:,} rows needs and more than can be read in a few seconds; "
            "save the sheet as CSV (which may have up to "
            f"{MAX_ROWS:,} rows), or split it into smaller files",
            name=name,
        )


def _check_stated_sizes(parts, name):
    if len(parts) > MAX_PARTS:
        raise FileImportError(
            f"the workbook has {len(parts):,} parts; a spreadsheet has a few dozen, "
            f"and at most {MAX_PARTS:,} are read",
            name=name,
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise FileImportError(
            f"the workbook unpacks to {_megabytes(unpacked)}, more than the "
            f"{_megabytes(MAX_UNPACKED)} a table may take; split it into smaller files",
            name=name,
        )
    for part in parts:
        if part.file_size > RATIO_FROM and part.file_size > MAX_RATIO * part.compress_size:
            raise FileImportError(
                f"the workbook's part {part.filename} unpacks to "
                f"{_megabytes(part.file_size)} from {part.compress_size:,} bytes, "
                "far more tightly packed than any real spreadsheet",
                name=name,
            )


def _count_tags(archive):
    """How many '<' the workbook's parts hold, up to just past MAX_TAGS: the
    stated sizes are checked, so this unpacks at most MAX_UNPACKED."""
    tags = 0
    for part in archive.infolist():
        with archive.open(part) as stream:
            while tags <= MAX_TAGS and (chunk := stream.read(1024 * 1024)):
                tags += chunk.count(b"<")
    return tags


def _megabytes(size):
    return f"{size / (1024 * 1024):,.0f} MB"


def _unreadable(exc, name, *, after=None):
    causes = []
    while exc is not None and exc not in causes:
        causes.append(exc)
        exc = exc.__cause__ or exc.__context__
    if any(isinstance(cause, DefusedXmlException) for cause in causes):
        message = (
            "the workbook's XML declares entities (a DTD), which spreadsheets never do; "
            "it was not read"
        )
    else:
        # The XML parser's ParseError (a SyntaxError) says where; otherwise the
        # first cause says what, as openpyxl wraps it in a long message.
        broken = [cause for cause in causes if isinstance(cause, SyntaxError)]
        cause = broken[0] if broken else causes[-1]
        detail = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        if broken:
            detail = f"its XML is broken or cut short ({detail})"
        message = f"this is not a readable XLSX workbook: {detail}"
        if after:
            message += f" (after row {after})"
    return FileImportError(message, name=name)
