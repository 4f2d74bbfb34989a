"""A page's markup as a screen reader or a small screen meets it: its title,
its tables, the names of its form controls.

Pages are parsed with tinyhtml5 (the HTML5 parser WeasyPrint already brings
in), so a table reads as a browser builds it."""

import tinyhtml5

VISUALLY_HIDDEN = "govuk-visually-hidden"


def parse(response):
    return tinyhtml5.parse(response.content.decode(), namespace_html_elements=False)


def classes(element):
    return (element.get("class") or "").split()


def text(element, *, visible_only=False):
    """The element's words, spaces collapsed; with visible_only, without
    what GOV.UK's visually hidden class keeps for screen readers."""
    parts = []

    def walk(node):
        if visible_only and VISUALLY_HIDDEN in classes(node):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


def title(response):
    return text(parse(response).find(".//title"))


def label_for(response, control_id):
    """The text of the label of the control with this id: its accessible name."""
    for label in parse(response).iter("label"):
        if label.get("for") == control_id:
            return text(label)
    return None


def table_problems(response):
    """What each table on the page lacks, as sentences (none: []).

    - a caption, which names the table when a screen reader lists tables;
    - a row header in every row, so each cell is read with its item;
    - in a table stacked on small screens (app-stacked-table), each cell's
      data-label, which must be its column header's visible words;
    - and no table wrapper that is a tab stop in the markup: static/app.mjs
      makes one a tab stop only while it scrolls."""
    root = parse(response)
    problems = []
    for number, table in enumerate(root.iter("table"), start=1):
        caption = table.find("caption")
        name = text(caption) if caption is not None else ""
        where = f"table {number} ({name or 'no caption'})"
        if not name:
            problems.append(f"{where} has no caption")
        headers = [text(cell, visible_only=True) for cell in table.findall("./thead/tr/th")]
        for row_number, row in enumerate(table.findall("./tbody/tr"), start=1):
            cells = [cell for cell in row if cell.tag in ("th", "td")]
            if not any(cell.tag == "th" and cell.get("scope") == "row" for cell in cells):
                problems.append(f"{where}, row {row_number} has no row header")
            if "app-stacked-table" not in classes(table):
                continue
            for header, cell in zip(headers, cells, strict=False):
                if header and cell.get("data-label") != header:
                    problems.append(
                        f"{where}, row {row_number}: the {header!r} cell's data-label is "
                        f"{cell.get('data-label')!r}"
                    )
    for wrapper in root.iter("div"):
        if "app-table-wrapper" in classes(wrapper) and wrapper.get("tabindex") is not None:
            label = wrapper.get("aria-labelledby") or wrapper.get("aria-label")
            problems.append(f"the table wrapper {label!r} is a tab stop in the markup")
    return problems


def tables(response):
    return list(parse(response).iter("table"))
