"""Bring whole frameworks in and out.

Three ways in, one way to write: a reader turns a file into FrameworkData
(plain Python, nothing written), then `apply_frameworks` compares it with
the catalogue and writes the difference in one transaction, reporting what
was added, changed, left alone and missing from the file. A preview is the
same run rolled back, so it can never disagree with the real import.

- `read_skills_table`: an organisation's own framework, CSV or XLSX, one row
  per skill level.
- `read_framework_json`: the framework/1 document that `export_framework`
  writes.
- The DDaT role table lives in profiles.importing.frameworks, because it also makes
  job families and role profiles.

Published profile versions keep the text they were published with (their
documents are frozen), so a new edition may update descriptions in place.
"""

import csv
import io
import json
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from defusedxml import DefusedXmlException
from django.db import transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.text import slugify
from jsonschema import Draft202012Validator

from competency.history import bulk_create, bulk_update
from competency.json_input import UNSTORABLE, JSONInputError, load_json, unstorable_text
from competency.models import Category, Framework, Level, Skill, SkillLevel
from competency.problems import FileProblem

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "framework.schema.json"
SCHEMA_NAME = "framework/1"

OGL_ATTRIBUTION = (
    "Contains public sector information from the Digital, Data and Technology "
    "Capability Framework, Crown copyright, licensed under the Open Government "
    "Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)."
)


class FrameworkImportError(FileProblem, Exception):
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


# --- What a file says --------------------------------------------------------


@dataclass
class SkillData:
    path: tuple  # category names from the top of the tree down
    name: str
    description: str
    levels: dict = field(default_factory=dict)  # rank -> description
    row: int | None = None


# Far beyond any real framework's tree (DDaT has a few dozen), and a bound
# on the categories one file may make.
MAX_CATEGORIES = 5_000


@dataclass
class FrameworkData:
    name: str
    description: str = ""
    attribution: str = ""
    levels: dict = field(default_factory=dict)  # rank -> (name, description or None)
    skills: dict = field(default_factory=dict)  # (path, name) -> SkillData
    # Category paths in file order (a dict as an ordered set: a file may
    # name thousands, and each is looked up on every row).
    categories: dict = field(default_factory=dict)
    # Where each level came from, to point at the row of a conflict.
    level_rows: dict = field(default_factory=dict)
    name_in_file: str = ""

    def check_lengths(self, file):
        """Every name fits its column, so a long one is a clear error on
        every database (PostgreSQL would refuse it with a crash, SQLite
        would store it anyway)."""

        def check(text, model, what, row=None):
            limit = model._meta.get_field("name").max_length
            if len(text) > limit:
                raise FrameworkImportError(
                    f"the {what} '{text[:40]}…' is {len(text)} characters long; "
                    f"at most {limit} fit",
                    name=file,
                    row=row,
                )

        if len(self.categories) > MAX_CATEGORIES:
            raise FrameworkImportError(
                f"the framework '{self.name[:40]}' has {len(self.categories):,} categories; "
                f"at most {MAX_CATEGORIES:,} are taken (is a column shifted?)",
                name=file,
            )
        check(self.name, Framework, "framework name")
        for rank, (level_name, _) in self.levels.items():
            check(level_name, Level, "level name", self.level_rows.get(rank))
        for path in self.categories:
            check(path[-1], Category, "category name")
        for skill in self.skills.values():
            check(skill.name, Skill, "skill name", skill.row)

    def add_category(self, path):
        for depth in range(1, len(path) + 1):
            self.categories.setdefault(path[:depth], None)

    def add_skill(
        self, path, name, description, *, file, row, column="Skill description", json_path=None
    ):
        """Record a skill, refusing a second, different description of it."""
        self.add_category(path)
        skill = self.skills.get((path, name))
        if skill is None:
            skill = self.skills[(path, name)] = SkillData(path, name, description, row=row)
        elif skill.description != description:
            first = f" than in row {skill.row}" if skill.row else ""
            raise FrameworkImportError(
                f"the skill '{name}' has another description here{first}; "
                "a skill has one description",
                name=file,
                row=row,
                column=None if json_path else column,
                path=json_path,
            )
        return skill

    def add_skill_level(self, skill, rank, description, *, file, row, column, json_path=None):
        known = skill.levels.get(rank)
        if known is not None and known != description:
            raise FrameworkImportError(
                f"the skill '{skill.name}' has two different descriptions at level {rank}",
                name=file,
                row=row,
                column=None if json_path else column,
                path=json_path,
            )
        skill.levels[rank] = description


# --- Tables: CSV and XLSX ----------------------------------------------------

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
    _check_size(data, name)
    if not data.strip():
        raise FrameworkImportError(
            "the file is empty; expected a table with a header row", name=name
        )
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data, name)
    elif b"\x00" in data:
        raise FrameworkImportError("this is a binary file; expected CSV or XLSX", name=name)
    else:
        rows = _csv_rows(data, name)
    try:
        return _table(rows, name, columns, tuple(optional))
    finally:
        # Let go of the workbook now, even when the table was refused halfway.
        rows.close()


def _check_size(data, name):
    if len(data) > MAX_FILE:
        raise FrameworkImportError(
            f"the file is larger than {_megabytes(MAX_FILE)}, the most a framework file may "
            "be; split it into smaller files",
            name=name,
        )


def _table(rows, name, columns, optional=()):
    header_row, header = next(rows, (1, []))
    if len(header) > MAX_COLUMNS:
        raise FrameworkImportError(
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
        raise FrameworkImportError(
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
            raise FrameworkImportError(
                f"the table goes on past row {LAST_ROW:,}, the last a spreadsheet can have",
                name=name,
                row=number,
            )
        # any() first: most empty rows are all None, and it checks those at C speed.
        if not any(cells) or not any(str(cell or "").strip() for cell in cells):
            continue
        if len(table) == MAX_ROWS:
            raise FrameworkImportError(
                f"the table has more than {MAX_ROWS:,} rows; split it into smaller files",
                name=name,
                row=number,
            )
        if len(cells) != len(header):
            raise FrameworkImportError(
                f"this row has {len(cells)} fields; the header has {len(header)}",
                name=name,
                row=number,
            )
        _check_cells(cells, header, name, number)
        repeats = repeats + 1 if cells == previous else 0
        if repeats >= MAX_REPEATS:
            raise FrameworkImportError(
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
        raise FrameworkImportError("the table has a header but no rows", name=name, row=2)
    return Sheet(table, letters)


def _check_cells(cells, header, name, number):
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL:
            title = str(header[index] or "") if index < len(header) else ""
            raise FrameworkImportError(
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
        raise FrameworkImportError(
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
        raise FrameworkImportError(message, name=name, row=number + 1) from exc


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
            raise FrameworkImportError(
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
        raise FrameworkImportError(
            f"the workbook holds more than {MAX_TAGS:,} XML tags, more than a table of "
            f"{MAX_TAGS // 50:,} rows needs and more than can be read in a few seconds; "
            "save the sheet as CSV (which may have up to "
            f"{MAX_ROWS:,} rows), or split it into smaller files",
            name=name,
        )


def _check_stated_sizes(parts, name):
    if len(parts) > MAX_PARTS:
        raise FrameworkImportError(
            f"the workbook has {len(parts):,} parts; a spreadsheet has a few dozen, "
            f"and at most {MAX_PARTS:,} are read",
            name=name,
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise FrameworkImportError(
            f"the workbook unpacks to {_megabytes(unpacked)}, more than the "
            f"{_megabytes(MAX_UNPACKED)} a table may take; split it into smaller files",
            name=name,
        )
    for part in parts:
        if part.file_size > RATIO_FROM and part.file_size > MAX_RATIO * part.compress_size:
            raise FrameworkImportError(
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
    return FrameworkImportError(message, name=name)


# --- An organisation's own framework: the skills table ----------------------

SKILLS_COLUMNS = [
    "Framework",
    "Category",
    "Subcategory",
    "Skill",
    "Skill description",
    "Level",
    "Level name",
    "Level description",
]


def read_skills_table(data: bytes, name: str, progress=iter) -> list[FrameworkData]:
    """One row per skill level; levels the scale lacks are made from the file."""
    frameworks = {}
    for row, cells in progress(read_table(data, name, SKILLS_COLUMNS)):
        for column in ("Framework", "Category", "Skill", "Level", "Level name"):
            if not cells[column]:
                raise FrameworkImportError(
                    f"'{column}' is empty", name=name, row=row, column=column
                )
        rank = _rank(cells["Level"], name=name, row=row)
        framework = frameworks.setdefault(
            cells["Framework"], FrameworkData(name=cells["Framework"])
        )
        level_name = cells["Level name"]
        known = framework.levels.get(rank)
        if known and known[0] != level_name:
            raise FrameworkImportError(
                f"level {rank} is called '{known[0]}' in row {framework.level_rows[rank]} "
                f"and '{level_name}' here",
                name=name,
                row=row,
                column="Level name",
            )
        framework.levels[rank] = (level_name, None)
        framework.level_rows.setdefault(rank, row)
        path = tuple(part for part in (cells["Category"], cells["Subcategory"]) if part)
        skill = framework.add_skill(
            path, cells["Skill"], cells["Skill description"], file=name, row=row
        )
        framework.add_skill_level(
            skill,
            rank,
            cells["Level description"],
            file=name,
            row=row,
            column="Level description",
        )
    return list(frameworks.values())


# Level.rank is a PositiveSmallIntegerField: PostgreSQL stores it as a
# smallint and refuses anything larger (SQLite takes any size, which is how a
# rank of 40000 once passed the tests and failed in production).
MAX_RANK = BaseDatabaseOperations.integer_field_ranges[
    Level._meta.get_field("rank").get_internal_type()
][1]


def _rank(text, *, name, row):
    """The level number in a skills table's 'Level' cell."""
    expected = f"expected a whole number from 1 to {MAX_RANK:,}"
    shown = text if len(text) <= 20 else text[:20] + "…"
    try:
        rank = int(text)
    except ValueError as exc:  # not a number, or one of over 4,300 digits
        raise FrameworkImportError(
            f"'{shown}' is not a level number; {expected}", name=name, row=row, column="Level"
        ) from exc
    if not 1 <= rank <= MAX_RANK:
        raise FrameworkImportError(
            f"level {shown} is out of range; {expected}", name=name, row=row, column="Level"
        )
    return rank


# --- framework/1 JSON --------------------------------------------------------

# framework/1 nests two brackets per level of its category tree, and four
# more for a skill's levels: 32 allows a tree 13 deep, far beyond any real
# framework, and keeps schema validation and the walk below far from
# Python's recursion limit.
MAX_JSON_DEPTH = 32


@cache
def _validator():
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def read_framework_json(data: bytes, name: str) -> list[FrameworkData]:
    try:
        _check_size(data, name)
        document = load_json(data.decode("utf-8-sig"), max_depth=MAX_JSON_DEPTH, max_size=MAX_FILE)
    except UnicodeDecodeError as exc:
        raise FrameworkImportError("the file is not UTF-8 text", name=name) from exc
    except JSONInputError as exc:
        raise FrameworkImportError(exc.message, name=name) from exc
    except json.JSONDecodeError as exc:
        raise FrameworkImportError(
            f"this is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            name=name,
        ) from exc
    errors = sorted(_validator().iter_errors(document), key=lambda e: len(e.path))
    if errors:
        error = errors[0]
        message = f"does not match {SCHEMA_NAME}: {error.message}"
        if error.validator == "maximum" and list(error.path)[-1:] == ["rank"]:
            # The schema's bound is the column's (MAX_RANK), said in words.
            message = (
                f"rank {error.instance} is out of range; a level's rank is a whole number "
                f"from 1 to {MAX_RANK:,}"
            )
        raise FrameworkImportError(message, name=name, path=error.json_path)
    if path := unstorable_text(document):
        raise FrameworkImportError(UNSTORABLE, name=name, path=path)
    framework = FrameworkData(
        name=document["name"],
        description=document.get("description", ""),
        attribution=document.get("attribution", ""),
    )
    for index, level in enumerate(document["levels"]):
        if level["rank"] > MAX_RANK:
            raise FrameworkImportError(
                f"rank {level['rank']} is out of range; a level's rank is a whole number "
                f"from 1 to {MAX_RANK:,}",
                name=name,
                path=f"$.levels[{index}].rank",
            )
        framework.levels[level["rank"]] = (level["name"], level.get("description", ""))

    def walk(categories, parent, json_path):
        for index, category in enumerate(categories):
            path = (*parent, category["name"])
            here = f"{json_path}[{index}]"
            framework.add_category(path)
            for skill_index, skill in enumerate(category.get("skills", [])):
                skill_path = f"{here}.skills[{skill_index}]"
                data = framework.add_skill(
                    path,
                    skill["name"],
                    skill.get("description", ""),
                    file=name,
                    row=None,
                    json_path=f"{skill_path}.description",
                )
                for level_index, level in enumerate(skill.get("levels", [])):
                    if level["rank"] not in framework.levels:
                        raise FrameworkImportError(
                            f"level {level['rank']} is not on the framework's scale",
                            name=name,
                            path=f"{skill_path}.levels[{level_index}].rank",
                        )
                    framework.add_skill_level(
                        data,
                        level["rank"],
                        level.get("description", ""),
                        file=name,
                        row=None,
                        column=None,
                        json_path=f"{skill_path}.levels[{level_index}]",
                    )
            walk(category.get("categories", []), path, f"{here}.categories")

    walk(document["categories"], (), "$.categories")
    return [framework]


def export_framework(framework: Framework) -> dict:
    """The framework/1 document: scale, category tree, skills and level texts."""
    levels = list(framework.levels.order_by("rank"))
    rank_of = {level.pk: level.rank for level in levels}
    categories = list(framework.categories.order_by("name"))
    skills = defaultdict(list)
    for skill in Skill.objects.filter(category__framework=framework).order_by("name"):
        skills[skill.category_id].append(skill)
    skill_levels = defaultdict(list)
    for row in SkillLevel.objects.filter(skill__category__framework=framework).order_by(
        "level__rank"
    ):
        skill_levels[row.skill_id].append(row)
    children = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)

    def tree(parent_id):
        return [
            {
                "name": category.name,
                "skills": [
                    {
                        "name": skill.name,
                        "description": skill.description,
                        "levels": [
                            {"rank": rank_of[row.level_id], "description": row.description}
                            for row in skill_levels[skill.pk]
                        ],
                    }
                    for skill in skills[category.pk]
                ],
                "categories": tree(category.pk),
            }
            for category in children[parent_id]
        ]

    return {
        "schema": SCHEMA_NAME,
        "name": framework.name,
        "description": framework.description,
        "attribution": framework.attribution,
        "levels": [
            {"rank": level.rank, "name": level.name, "description": level.description}
            for level in levels
        ],
        "categories": tree(None),
    }


# --- Writing: compare, then write the difference -----------------------------


@dataclass
class Tally:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    missing: list = field(default_factory=list)

    def line(self, label):
        parts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{self.unchanged} unchanged",
        ]
        if self.missing:
            parts.append(f"{len(self.missing)} not in the new file")
        return f"  {label}: {', '.join(parts)}"


@dataclass
class FrameworkReport:
    framework: str
    created: bool = False
    levels: Tally = field(default_factory=Tally)
    skills: Tally = field(default_factory=Tally)
    skill_levels: Tally = field(default_factory=Tally)
    notes: list = field(default_factory=list)
    changed_skill_ids: list = field(default_factory=list)

    def lines(self):
        head = f"Framework {self.framework}: {'created' if self.created else 'updated'}"
        lines = [
            head,
            self.levels.line("levels"),
            self.skills.line("skills"),
            self.skill_levels.line("skill level descriptions"),
        ]
        lines += [f"    not in the new file: {name}" for name in self.skills.missing[:20]]
        if len(self.skills.missing) > 20:
            lines.append(f"    … and {len(self.skills.missing) - 20} more")
        lines += [f"  note: {note}" for note in self.notes]
        return lines


class _RollBack(Exception):
    """Raised inside the transaction to roll a preview back."""


def apply_frameworks(frameworks, *, name="", preview=False, progress=iter, extra=None, before=None):
    """Write frameworks (and, through `extra`, what depends on them) in one
    transaction. With preview=True nothing is kept; the reports say what an
    import would do.

    `before(frameworks)` is called with the file's frameworks that exist,
    their rows locked, before anything is written: it may raise to refuse
    (a confirmation that no longer holds)."""
    for data in frameworks:
        data.check_lengths(name)
    reports = []
    try:
        with transaction.atomic():
            existing = Framework.objects.select_for_update().filter(
                name__in=[data.name for data in frameworks]
            )
            if before is not None:
                before(list(existing.order_by("name")))
            for data in frameworks:
                reports.append(apply_framework(data, name=name, progress=progress))
            if extra is not None:
                reports.extend(extra())
            if preview:
                raise _RollBack
    except _RollBack:
        pass
    return reports


def apply_framework(data: FrameworkData, *, name="", progress=iter) -> FrameworkReport:
    framework = Framework.objects.select_for_update().filter(name=data.name).first()
    report = FrameworkReport(framework=data.name, created=framework is None)
    if framework is None:
        framework = Framework.objects.create(
            name=data.name,
            slug=_free_slug(data.name),
            description=data.description,
            attribution=data.attribution,
        )
    else:
        changed = []
        if data.description and framework.description != data.description:
            framework.description = data.description
            changed.append("description")
        if data.attribution and framework.attribution != data.attribution:
            framework.attribution = data.attribution
            changed.append("attribution")
        if changed:
            framework.save(update_fields=changed)

    scale = _apply_levels(framework, data, report, name)
    categories = _apply_categories(framework, data)
    skills = _apply_skills(framework, data, categories, report, progress)
    _apply_skill_levels(data, skills, scale, report, progress)
    return report


def _free_slug(name):
    base = slugify(name) or "framework"
    slug, n = base, 2
    while Framework.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply_levels(framework, data, report, name):
    scale = {level.rank: level for level in framework.levels.all()}
    for rank, (level_name, description) in sorted(data.levels.items()):
        level = scale.get(rank)
        if level is None:
            scale[rank] = Level.objects.create(
                framework=framework, rank=rank, name=level_name, description=description or ""
            )
            report.levels.added.append(f"{rank} – {level_name}")
        elif level.name != level_name:
            raise FrameworkImportError(
                f"level {rank} of {framework.name} is '{level.name}', but the file calls it "
                f"'{level_name}'",
                name=name,
                row=data.level_rows.get(rank),
                column="Level name" if data.level_rows else None,
            )
        elif description is not None and level.description != description:
            level.description = description
            level.save(update_fields=["description"])
            report.levels.changed.append(str(level))
        else:
            report.levels.unchanged += 1
    return scale


def _apply_categories(framework, data):
    """The category node for every path in the file, made where missing."""
    nodes = {}
    existing = {(c.parent_id, c.name): c for c in framework.categories.all()}
    for path in data.categories:
        parent = nodes.get(path[:-1]) if len(path) > 1 else None
        key = (parent.pk if parent else None, path[-1])
        node = existing.get(key)
        if node is None:
            node = existing[key] = Category.objects.create(
                framework=framework, parent=parent, name=path[-1]
            )
        nodes[path] = node
    return nodes


def _apply_skills(framework, data, categories, report, progress):
    existing = {
        (skill.category_id, skill.name): skill
        for skill in Skill.objects.filter(category__framework=framework).select_related("category")
    }
    seen = set()
    new, changed = [], []
    skills = {}
    for key, row in progress(data.skills.items()):
        category = categories[row.path]
        skill = existing.get((category.pk, row.name))
        seen.add((category.pk, row.name))
        if skill is None:
            skill = Skill(category=category, name=row.name, description=row.description)
            new.append(skill)
            report.skills.added.append(row.name)
        elif skill.description != row.description:
            skill.description = row.description
            changed.append(skill)
            report.skills.changed.append(row.name)
        else:
            report.skills.unchanged += 1
        skills[key] = skill
    _write(Skill, new, changed)
    report.skills.missing = sorted(
        f"{skill.category.name} – {skill.name}"
        for key, skill in existing.items()
        if key not in seen
    )
    report.changed_skill_ids = [skill.pk for skill in changed]
    return skills


def _apply_skill_levels(data, skills, scale, report, progress):
    skill_ids = [skill.pk for skill in skills.values()]
    existing = {
        (row.skill_id, row.level_id): row for row in SkillLevel.objects.filter(skill__in=skill_ids)
    }
    new, changed = [], []
    for key, row in progress(data.skills.items()):
        skill = skills[key]
        for rank, description in sorted(row.levels.items()):
            level = scale[rank]
            current = existing.get((skill.pk, level.pk))
            label = f"{row.name} at {level}"
            if current is None:
                new.append(SkillLevel(skill=skill, level=level, description=description))
                report.skill_levels.added.append(label)
            elif current.description != description:
                current.description = description
                changed.append(current)
                report.skill_levels.changed.append(label)
            else:
                report.skill_levels.unchanged += 1
    _write(SkillLevel, new, changed)


def _write(model, new, changed):
    """Insert and update in bulk, keeping the audit trail."""
    bulk_create(model, new)
    bulk_update(model, changed, ["description"])
