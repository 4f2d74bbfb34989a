"""Read a role profile from the text of its published page.

The page is a sequence of non-blank lines: a title, headed parts, and
component tables flattened to one cell per line. This reader is strict about
the layout (every table row has the cells its columns promise) and lenient
about the quirks real pages carry: an optional depth cell, two spellings of
the behavioural type, a repeated empty heading, category-prefixed skill names,
non-breaking spaces, and a credit line and feedback links at the end (either
or both may be missing from a copy: completeness is judged from the layout). Texts
are kept exactly as published.
"""

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from competency.models import Depth, KnowledgeItem
from profiles.models import ROLE_LEVELS
from profiles.sections import BY_KEY, PAGE_TABLES


class LayoutError(ValueError):
    """The text is not a role profile page; `line` says where it went wrong."""

    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Line:
    number: int
    text: str

    @property
    def key(self):
        """The text compared with headings: spaces of any kind folded."""
        return " ".join(self.text.split())


@dataclass
class ParsedPage:
    document: dict
    # Where each item came from, keyed by its JSON path: "$.knowledge_skills[3]".
    lines: dict = field(default_factory=dict)


DEPTHS = {label: value for value, label in Depth.choices}
# A knowledge item's type as the page words it; pages spell behavioural
# items both ways.
TYPES = {label: value for value, label in KnowledgeItem.Kind.choices} | {
    "Behavioural": KnowledgeItem.Kind.BEHAVIOURAL
}
BULLETS = "•◦▪‣-*"
DASHES = "–—-"
LEVEL_LINE = re.compile(rf"^(\d{{1,2}})\s+[{DASHES}]\s+(\S.*)$")
FEEDBACK = "Give Feedback"
RESPONSIBILITIES_LEAD = "At this role level, you will:"
PRIOR_KNOWLEDGE = "Prior Knowledge and Skills"


ORGANISATION_SKILLS = BY_KEY["organisation_skills"].heading
ORGANISATION_COLUMNS = (
    "Framework » Organisation",
    "Category » Subcategory",
    "Skill Name and Description Level",
)


def split_title(title):
    """'Senior DevOps Engineer – Management' → ('Senior', 'Management')."""
    variant = None
    for dash in "–—":
        head, sep, tail = title.rpartition(f" {dash} ")
        if sep and tail.strip():
            title, variant = head, tail.strip()
            break
    role_level = next(
        (level for level in ROLE_LEVELS if title == level or title.startswith(level + " ")), None
    )
    return role_level, variant


class Reader:
    def __init__(self, text):
        self.lines = [
            Line(number, raw.strip())
            for number, raw in enumerate(text.splitlines(), start=1)
            if raw.strip()
        ]
        self.last_number = len(text.splitlines()) or 1
        self.index = 0

    def at_end(self):
        return self.index >= len(self.lines)

    def peek(self, offset=0):
        index = self.index + offset
        return self.lines[index] if index < len(self.lines) else None

    def take(self):
        line = self.lines[self.index]
        self.index += 1
        return line

    def next_is(self, *texts):
        line = self.peek()
        return line is not None and line.key in texts

    def skip(self, *texts):
        while self.next_is(*texts):
            self.index += 1

    def expect(self, text):
        line = self.peek()
        if line is None:
            raise LayoutError(
                self.last_number,
                f"the file ends where the heading '{text}' was expected; it looks truncated",
            )
        if line.key != text:
            raise LayoutError(
                line.number, f"expected the heading '{text}', found '{line.text[:80]}'"
            )
        return self.take()

    def take_until(self, is_stop, expected):
        """Lines up to (not including) the first one that `is_stop` accepts."""
        taken = []
        while True:
            line = self.peek()
            if line is None:
                raise LayoutError(
                    self.last_number,
                    f"the file ends before {expected}; it looks truncated",
                )
            if is_stop(self):
                return taken
            taken.append(self.take())


def parse(text):
    """Parse published page text into a role-profile/1 document."""
    reader = Reader(text)
    if reader.at_end():
        raise LayoutError(1, "the file is empty")
    page = ParsedPage(document={})
    doc = page.document

    title = reader.take()
    page.lines.update({"$.title": title.number, "$.slug": title.number})
    if title.key in {"Summary", "Background"}:
        raise LayoutError(title.number, "expected the profile's title on the first line")
    role_level, variant = split_title(title.key)
    doc.update(
        {
            "schema": "role-profile/1",
            "title": title.text,
            "slug": slugify(title.text),
            "job_family": None,
            "role_level": role_level,
            "variant": variant,
            "version": None,
        }
    )

    # Summary: paragraphs, then the responsibilities as bullets.
    reader.expect("Summary")
    summary = reader.take_until(
        lambda r: r.next_is(RESPONSIBILITIES_LEAD, "Background"), "the 'Background' heading"
    )
    responsibilities = []
    if reader.next_is(RESPONSIBILITIES_LEAD):
        reader.take()
        for line in reader.take_until(
            lambda r: r.next_is("Background"), "the 'Background' heading"
        ):
            if line.text[0] not in BULLETS:
                raise LayoutError(
                    line.number,
                    f"expected a bullet ('• …') under '{RESPONSIBILITIES_LEAD}', "
                    f"found '{line.text[:80]}'",
                )
            page.lines[f"$.responsibilities[{len(responsibilities)}]"] = line.number
            responsibilities.append(line.text[1:].strip())
    if summary:
        page.lines["$.summary"] = summary[0].number
    doc["summary"] = "\n\n".join(line.text for line in summary)
    doc["responsibilities"] = responsibilities

    # Background: description paragraphs, then prior knowledge and skills
    # (whose heading real pages repeat, the second time with nothing under it).
    reader.expect("Background")
    reader.skip("Background Components")
    reader.skip("Description Background")
    first_table = PAGE_TABLES[0]

    def at_table(r, table=first_table):
        if r.next_is(table.page_table):
            return True
        nxt = r.peek(1)
        return r.next_is(*table.page_headings) and nxt is not None and nxt.key == table.page_table

    background = reader.take_until(
        lambda r: r.next_is(PRIOR_KNOWLEDGE) or at_table(r),
        f"the '{first_table.page_table}' heading",
    )
    prior_knowledge = [
        line
        for line in reader.take_until(at_table, f"the '{first_table.page_table}' heading")
        if line.key != PRIOR_KNOWLEDGE
    ]
    for key, lines in (("background", background), ("prior_knowledge", prior_knowledge)):
        doc[key] = [line.text for line in lines]
        page.lines.update({f"$.{key}[{i}]": line.number for i, line in enumerate(lines)})

    for position, table in enumerate(PAGE_TABLES):
        reader.skip(*table.page_headings)
        reader.expect(table.page_table)
        reader.expect(table.page_columns)
        if position + 1 < len(PAGE_TABLES):
            following = PAGE_TABLES[position + 1]
            rows = reader.take_until(
                lambda r, t=following: at_table(r, t), f"the '{following.page_table}' heading"
            )
        else:
            rows = reader.take_until(
                lambda r: r.next_is(ORGANISATION_SKILLS), f"the '{ORGANISATION_SKILLS}' heading"
            )
        parse_rows = _knowledge_rows if table.key == "knowledge_skills" else _pair_rows
        doc[table.key] = parse_rows(table, rows, page, reader)

    reader.expect(ORGANISATION_SKILLS)
    for heading in ORGANISATION_COLUMNS:
        reader.skip(heading)
    doc["organisation_skills"], doc["source"] = _organisation_skills(reader, page)
    return page


def _pair_rows(table, rows, page, reader):
    """Rows of two cells: title and details (or awarding body)."""
    second = "awarding_body" if table.key == "qualifications" else "details"
    if len(rows) % 2:
        last = rows[-1]
        raise LayoutError(
            last.number,
            f"the {table.noun} '{last.text[:80]}' has no {second.replace('_', ' ')} line",
        )
    items = []
    for index in range(0, len(rows), 2):
        title, value = rows[index], rows[index + 1]
        page.lines[f"$.{table.key}[{len(items)}]"] = title.number
        page.lines[f"$.{table.key}[{len(items)}].{second}"] = value.number
        items.append({"title": title.text, second: value.text})
    return items


def _knowledge_rows(table, rows, page, reader):
    """Rows of title, an optional depth, details and type."""
    items = []
    cells = []
    for line in rows:
        if line.key not in TYPES:
            cells.append(line)
            continue
        if not cells:
            raise LayoutError(line.number, f"found the type '{line.text}' with no item before it")
        title, *middle = cells
        depth = None
        if middle and middle[0].key in DEPTHS:
            depth = DEPTHS[middle.pop(0).key]
        if len(middle) > 1:
            raise LayoutError(
                middle[0].number,
                f"'{middle[0].text[:80]}' is not a depth of the knowledge item '{title.text}'; "
                f"expected one of: {', '.join(DEPTHS)}",
            )
        page.lines[f"$.knowledge_skills[{len(items)}]"] = title.number
        if middle:
            page.lines[f"$.knowledge_skills[{len(items)}].details"] = middle[0].number
        items.append(
            {
                "title": title.text,
                "depth": depth,
                "details": middle[0].text if middle else "",
                "type": TYPES[line.key],
            }
        )
        cells = []
    if cells:
        raise LayoutError(
            cells[-1].number,
            f"the knowledge item '{cells[0].text[:80]}' has no type line; expected one of: "
            f"{', '.join(TYPES)}",
        )
    return items


def _organisation_skills(reader, page):
    """Blocks of 'Framework » Category', 'Category – Skill', the skill's
    description, 'N – Level' and the level's description; then, perhaps, a
    credit line, and the site's footer from the first 'Give Feedback' on.

    People often copy the profile without the footer, or stop before the
    credit line, so whether the page is whole is judged from its structure,
    never from the footer: a skill block must have its name, its level line
    and a level description, and the heading must have at least one block
    unless the footer shows the page really ends there. Behind the footer,
    the paragraph just before it is the credit line. Without it, the last
    level description has as many paragraphs as the longest of the page's
    other level descriptions (one on published pages), and what follows is
    the credit line."""
    lines = []
    while not reader.at_end() and reader.peek().key != FEEDBACK:
        lines.append(reader.take())
    has_footer = not reader.at_end()
    if not lines and not has_footer:
        raise LayoutError(
            reader.last_number,
            f"the file ends after the '{ORGANISATION_SKILLS}' heading, before its first "
            "skill; it looks truncated",
        )
    if lines and not _is_block_start(lines[0]):
        raise LayoutError(
            lines[0].number,
            f"expected an organisation skill's 'Framework » Category' line, "
            f"found '{lines[0].text[:80]}'",
        )
    blocks = []
    for line in lines:
        if _is_block_start(line):
            blocks.append([])
        blocks[-1].append(line)
    source = None
    if blocks:
        *others, last = blocks
        level_at = next((i for i, line in enumerate(last) if LEVEL_LINE.match(line.key)), None)
        if has_footer:
            # A whole page: the paragraph just before the footer is the credit line.
            credit_at = len(last) - 1 if level_at is not None and level_at + 1 < len(last) else None
        else:
            longest = max((_level_paragraphs(block) for block in others), default=1)
            credit_at = level_at + 1 + max(longest, 1) if level_at is not None else None
        if credit_at is not None and credit_at < len(last):
            source = "\n\n".join(line.text for line in last[credit_at:])
            del last[credit_at:]
    # Behind the footer the page is whole, so the last skill may simply have
    # no level description; without it, a block that stops at its level
    # line was cut there.
    skills = [
        _skill_block(
            block,
            page,
            index,
            allow_no_level_description=has_footer and index == len(blocks) - 1,
        )
        for index, block in enumerate(blocks)
    ]
    return skills, source


def _level_paragraphs(block):
    """How many paragraphs follow a block's level line."""
    at = next((i for i, line in enumerate(block) if LEVEL_LINE.match(line.key)), None)
    return 0 if at is None else len(block) - at - 1


def _is_block_start(line):
    head, sep, tail = line.key.partition(" » ")
    return bool(sep) and head.strip() != "" and tail.strip() != "" and len(line.key) <= 200


def _skill_block(block, page, index, *, allow_no_level_description=False):
    heading, *rest = block
    framework, _, category = (part.strip() for part in heading.key.partition(" » "))
    if not framework or not category:
        raise LayoutError(heading.number, "expected 'Framework » Category', e.g. 'DDaT » Data'")
    if not rest:
        raise LayoutError(
            heading.number, f"the organisation skill under '{heading.text}' has no name"
        )
    name_line, *rest = rest
    name = name_line.text
    for dash in DASHES:
        prefix = f"{category} {dash} "
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    level_at = next((i for i, line in enumerate(rest) if LEVEL_LINE.match(line.key)), None)
    if level_at is None:
        raise LayoutError(
            (rest[-1] if rest else name_line).number,
            f"the organisation skill '{name}' has no level line; expected e.g. '3 – Practitioner'",
        )
    level_line = rest[level_at]
    if level_at + 1 == len(rest) and not allow_no_level_description:
        raise LayoutError(
            level_line.number,
            f"the organisation skill '{name}' has no description of its level after "
            f"'{level_line.text[:80]}'; the file looks truncated",
        )
    match = LEVEL_LINE.match(level_line.key)
    page.lines[f"$.organisation_skills[{index}]"] = heading.number
    page.lines[f"$.organisation_skills[{index}].level"] = level_line.number
    # Each text's last line, where a cut would show.
    if level_at:
        page.lines[f"$.organisation_skills[{index}].description"] = rest[level_at - 1].number
    if level_at + 1 < len(rest):
        page.lines[f"$.organisation_skills[{index}].level_description"] = rest[-1].number
    return {
        "framework": framework,
        "category": category,
        "skill": name,
        "description": "\n\n".join(line.text for line in rest[:level_at]),
        "level": int(match.group(1)),
        "level_name": match.group(2).strip(),
        "level_description": "\n\n".join(line.text for line in rest[level_at + 1 :]),
    }
