"""Hostile files, built in memory for the tests and benchmarks/hostile_files.py.

Each builder returns the bytes of one file that, before the limits in
competency/tables.py, competency/frameworks.py and competency/json_input.py, cost minutes,
gigabytes or a 500. Big parts of a workbook are made of one chunk repeated:
deflate's full flush makes the chunk's packed form independent of what came
before it, so it is packed once and repeated, and a 1.2 GB part costs a
fraction of a second to build (zipfile would spend seconds packing it).
"""

import csv
import io
import json
import struct
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

SKILLS_CSV = Path(__file__).resolve().parent / "frameworks" / "data" / "skills.csv"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def skills_rows():
    """The header and rows of the skills table the framework tests use."""
    with SKILLS_CSV.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


# --- Zip ---------------------------------------------------------------------


class Repeat:
    """A chunk of a part that occurs `times` times in a row."""

    def __init__(self, chunk: bytes, times: int):
        self.chunk, self.times = chunk, times


def _deflate(pieces):
    """(packed bytes, unpacked size, CRC-32) of pieces of bytes and Repeats."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as zip stores it
    packed, size, crc = [], 0, 0
    for piece in _grouped(pieces):
        chunk, times = (piece.chunk, piece.times) if isinstance(piece, Repeat) else (piece, 1)
        block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
        packed.append(block)
        if times > 1:
            # After a full flush the packer starts afresh, so packing the
            # chunk again would give the same bytes.
            packed.append(packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH))
            packed.extend([packed[-1]] * (times - 2))
        for _ in range(times):
            crc = zlib.crc32(chunk, crc)
        size += len(chunk) * times
    packed.append(packer.flush())
    return b"".join(packed), size, crc


def _grouped(pieces, size=1024 * 1024):
    """Repeats of small chunks as repeats of about `size` bytes, so that each
    flushed block packs many copies (a block per row would pack poorly)."""
    for piece in pieces:
        if isinstance(piece, Repeat) and len(piece.chunk) < size and piece.times > 1:
            group = max(1, size // len(piece.chunk))
            whole, rest = divmod(piece.times, group)
            if whole:
                yield Repeat(piece.chunk * group, whole)
            if rest:
                yield piece.chunk * rest
        else:
            yield piece


def zip_file(parts: dict) -> bytes:
    """A zip of {name: bytes or a list of pieces}, every part deflated."""
    out = io.BytesIO()
    directory = []
    for name, pieces in parts.items():
        packed, size, crc = _deflate([pieces] if isinstance(pieces, bytes) else pieces)
        encoded = name.encode()
        offset = out.tell()
        # Local header: signature, version 2.0, flags, deflate, time, date,
        # CRC, packed size, size, name length, extra length.
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(packed), size,
                        len(encoded), 0)
        )  # fmt: skip
        out.write(encoded)
        out.write(packed)
        directory.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                        len(packed), size, len(encoded), 0, 0, 0, 0, 0, offset)
            + encoded
        )  # fmt: skip
    start = out.tell()
    for entry in directory:
        out.write(entry)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory),
                    out.tell() - start, start, 0)
    )  # fmt: skip
    return out.getvalue()


# --- XLSX --------------------------------------------------------------------


def cell(value):
    """A cell's XML; bytes are taken as the cell's XML already."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, int):
        return f"<c><v>{value}</v></c>".encode()
    return f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'.encode()


def row(values, number=None):
    at = f' r="{number}"' if number else ""
    return f"<row{at}>".encode() + b"".join(cell(value) for value in values) + b"</row>"


def sheet(rows, *, dimension="A1:H7", before=b""):
    """A worksheet part: pieces of XML for its rows between its head and tail."""
    stated = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = f'<worksheet xmlns="{MAIN}">{stated}<sheetData>'.encode()
    return [before + head, *rows, b"</sheetData></worksheet>"]


def xlsx(sheet_part=None, *, strings=None, sheets=True) -> bytes:
    """A workbook with one sheet (none if not `sheets`), and optionally a
    shared strings part, each given as pieces of XML."""
    if sheet_part is None:
        sheet_part = sheet([row(values) for values in skills_rows()])
    overrides = [("/xl/workbook.xml", "sheet.main+xml")]
    rels = []
    parts = {}
    if sheets:
        overrides.append(("/xl/worksheets/sheet1.xml", "worksheet+xml"))
        rels.append(("rId1", "worksheet", "worksheets/sheet1.xml"))
        parts["xl/worksheets/sheet1.xml"] = sheet_part
    if strings is not None:
        overrides.append(("/xl/sharedStrings.xml", "sharedStrings+xml"))
        rels.append(("rId2", "sharedStrings", "sharedStrings.xml"))
        parts["xl/sharedStrings.xml"] = strings
    types = "".join(
        f'<Override PartName="{part}" ContentType="{OFFICE}.{kind}"/>' for part, kind in overrides
    )
    listed = '<sheet name="Skills" sheetId="1" r:id="rId1"/>' if sheets else ""
    links = "".join(
        f'<Relationship Id="{id}" Type="{DOC_RELS}/{kind}" Target="{target}"/>'
        for id, kind, target in rels
    )
    return zip_file(
        {
            "[Content_Types].xml": (
                f'<Types xmlns="{TYPES}"><Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                f'<Default Extension="xml" ContentType="application/xml"/>{types}</Types>'
            ).encode(),
            "_rels/.rels": (
                f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ).encode(),
            "xl/workbook.xml": (
                f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>{listed}</sheets>'
                "</workbook>"
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{RELS}">{links}</Relationships>'
            ).encode(),
            **parts,
        }
    )


def dimension_bomb() -> bytes:
    """A few KB that state a sheet of 16,384 columns × 1,048,576 rows: the
    table, then one cell in the stated last corner. Trusting the statement,
    openpyxl fills in every row between as 16,384 empty cells."""
    rows = [row(values) for values in skills_rows()]
    corner = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return xlsx(sheet([*rows, corner], dimension="A1:XFD1048576"))


def row_past_the_end() -> bytes:
    """The table, then a row numbered beyond the last a sheet can have:
    openpyxl would fill in the two billion rows before it."""
    rows = [row(values) for values in skills_rows()]
    return xlsx(sheet([*rows, row(["x"], 2_000_000_000)], dimension=None))


FIRST_SHARED_STRING = b'<c t="s"><v>0</v></c>'


def shared_string_bomb(size=1200 * 1024 * 1024) -> bytes:
    """One shared string of `size` bytes (1.2 GB by default) in about 1.2 MB."""
    megabyte = 1024 * 1024
    header, first, *_ = skills_rows()
    return xlsx(
        sheet([row(header), row([*first[:4], FIRST_SHARED_STRING, *first[5:]])]),
        strings=[
            f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode(),
            Repeat(b"A" * megabyte, size // megabyte),
            b"</t></si></sst>",
        ],
    )


def identical_rows(times=1_000_000, *, numbered=False) -> bytes:
    """The header, then one row `times` times: 1,000,000 fit in about 2 MB.
    Numbered rows (r="2", r="3", …) pack less tightly, as a real sheet's do."""
    header, first, *_ = skills_rows()
    if not numbered:
        return xlsx(sheet([row(header), Repeat(row(first), times)], dimension=None))
    rows = b"".join(row(first, number) for number in range(2, times + 2))
    return xlsx(sheet([row(header), rows], dimension=None))


def wide_header() -> bytes:
    """A header with a last title in the sheet's last column (XFD)."""
    header, first, *_ = skills_rows()
    last = b'<c r="XFD1" t="inlineStr"><is><t>Notes</t></is></c>'
    return xlsx(sheet([row([*header, last]), row(first)], dimension=None))


def no_sheets() -> bytes:
    return xlsx(sheets=False)


def truncated_sheet() -> bytes:
    """A sound zip whose sheet's XML stops in the middle of a row."""
    whole = b"".join(sheet([row(values) for values in skills_rows()]))
    return xlsx([whole[: len(whole) * 2 // 3]])


def truncated_zip() -> bytes:
    """A workbook whose file was cut short (a broken download)."""
    whole = xlsx()
    return whole[: len(whole) // 2]


def _laughs():
    entities = ['<!ENTITY lol0 "lol">']
    for n in range(1, 10):
        entities.append(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">')
    return f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{"".join(entities)}]>\n'.encode()


LAUGHS = _laughs()


def billion_laughs(part="sheet") -> bytes:
    """Entities within entities that expand to 10⁹ 'lol's, in the sheet or in
    the shared strings."""
    header, first, *_ = skills_rows()
    if part == "sheet":
        rows = [row(header), row(first).replace(b"Release management", b"&lol9;", 1)]
        return xlsx(sheet(rows, before=LAUGHS))
    rows = [row(header), row([*first[:3], FIRST_SHARED_STRING, *first[4:]])]
    return xlsx(
        sheet(rows),
        strings=[LAUGHS + f'<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'.encode()],
    )


# --- CSV ---------------------------------------------------------------------


def csv_text(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def csv_many_rows(count) -> bytes:
    """A skills table of `count` different short rows (100,000 in 2 MB)."""
    header = skills_rows()[0]
    return csv_text([header, *(["F", "C", "", f"S{n}", "", 1, "L", ""] for n in range(count))])


def csv_identical_rows(times=1_000_000) -> bytes:
    header, first, *_ = skills_rows()
    return csv_text([header]) + csv_text([first]) * times


def csv_huge_field(size=4 * 1024 * 1024) -> bytes:
    header, first, *_ = skills_rows()
    return csv_text([header, [*first[:4], "x" * size, *first[5:]]])


def csv_rank(rank) -> bytes:
    header, first, *_ = skills_rows()
    return csv_text([header, [*first[:5], rank, *first[6:]]])


# --- JSON --------------------------------------------------------------------


def framework_json(*, rank=1, categories=None) -> bytes:
    """A small framework/1 document; `categories` (text) replaces its tree."""
    document = {
        "schema": "framework/1",
        "name": "Hostile",
        "levels": [{"rank": rank, "name": "Only"}],
        "categories": [
            {
                "name": "Things",
                "skills": [{"name": "Thing", "levels": [{"rank": rank, "description": "Does."}]}],
            }
        ],
    }
    text = json.dumps(document)
    if categories is not None:
        text = text[: text.index('[{"name": "Things"')] + categories + "}"
    return text.encode()


def nested_categories(depth):
    """A category tree `depth` categories deep, as framework/1 text."""
    return '[{"name": "c", "categories": ' * depth + "[]" + "}]" * depth


def deep_json(depth=10_000, *, profile=False) -> bytes:
    """Arrays nested `depth` deep where a document's list belongs."""
    nest = "[" * depth + "]" * depth
    if profile:
        return ('{"schema": "role-profile/1", "responsibilities": ' + nest + "}").encode()
    return framework_json(categories=nest)


def long_number(digits=5_000, *, profile=False) -> bytes:
    number = "1" * digits
    if profile:
        return ('{"schema": "role-profile/1", "version": ' + number + "}").encode()
    return framework_json().replace(b'"rank": 1', b'"rank": ' + number.encode(), 1)


# --- At the limits: the most the readers let through ------------------------


def many_shared_strings(count=2_200_000) -> bytes:
    """A small table with a shared strings part of `count` different
    strings, just under the 50 MB a workbook may unpack to."""
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(count))
    return xlsx(strings=[f'<sst xmlns="{MAIN}">'.encode(), strings, b"</sst>"])


def many_rows(count=100_000, *, first_framework="Big") -> bytes:
    """A skills table of `count` different rows, numbered as Excel does. With
    an empty first framework, every row is read before the import fails."""
    header = skills_rows()[0]
    rows = b"".join(
        row([first_framework if n == 0 else "Big", f"Area {n % 50}", "", f"Skill {n // 4}",
             f"What skill {n // 4} is.", n % 4 + 1, f"Level {n % 4 + 1}",
             f"Skill {n // 4} at level {n % 4 + 1}."], n + 2)
        for n in range(count)
    )  # fmt: skip
    return xlsx(sheet([row(header), rows], dimension=None))
