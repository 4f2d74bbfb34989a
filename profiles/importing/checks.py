"""What an import checks of each document before writing it: texts that
fit their fields, no item named twice in a section, and texts that look
cut off (a page copied short)."""

from profiles.models import JobFamily, RoleProfile
from profiles.sections import SECTIONS, max_length

# The profile's own texts an import writes, with the field that bounds each.
PROFILE_LIMITS = {
    "title": max_length(RoleProfile, "title"),
    "slug": max_length(RoleProfile, "slug"),
    "job_family": max_length(JobFamily, "name"),
    "role_level": max_length(RoleProfile, "role_level"),
    "variant": max_length(RoleProfile, "variant"),
}


def check_lengths(source, doc):
    """Texts that do not fit are a clear error on every database (SQLite
    would store them anyway)."""

    def check(path, value, limit):
        if value and len(value) > limit:
            raise source.error(
                path, f"this text is {len(value)} characters long; at most {limit} fit here"
            )

    for key, limit in PROFILE_LIMITS.items():
        check(f"$.{key}", doc[key], limit)
    for section in SECTIONS:
        limits = section.limits()
        for index, row in enumerate(doc[section.key]):
            for key, limit in limits.items():
                check(f"$.{section.key}[{index}].{key}", row[key], limit)


def check_duplicates(source, doc):
    for section in SECTIONS:
        seen = set()
        for index, row in enumerate(doc[section.key]):
            key = section.item_key(row)
            if key in seen:
                raise source.error(
                    f"$.{section.key}[{index}]",
                    f"'{section.name(row)}' appears twice in {section.plural}; a profile lists "
                    "each item once",
                )
            seen.add(key)


# --- Texts that look cut off ---------------------------------------------------

# A text "ends" when its last character, after any closing quotes or brackets,
# is one of these.
SENTENCE_ENDS = ".!?…"


CLOSERS = "\"'”’)]"


def _ends_sentence(text):
    return text.rstrip().rstrip(CLOSERS)[-1:] in tuple(SENTENCE_ENDS)


def cut_off_texts(source, doc):
    """Warnings for prose that looks cut off, which published pages sometimes
    are (a copy that stopped mid-sentence).

    The heuristic: among texts of one kind (the details of components, the
    descriptions of skills, the descriptions of skill levels), a text looks
    cut off when it does not end a sentence (a full stop, ?, ! or …, perhaps
    followed by a closing quote or bracket) while most of the others of its
    kind do. A page whose style is to leave full stops out is not flagged;
    one-line lists (responsibilities, titles, awarding bodies) are never
    checked. The import goes ahead: this only says where to look."""
    kinds = {}
    for section in SECTIONS:
        for index, row in enumerate(doc[section.key]):
            for key, label in (
                ("details", "details"),
                ("description", "description"),
                ("level_description", "level description"),
            ):
                text = row.get(key)
                if text:
                    name = section.name(row)
                    kinds.setdefault(key, []).append(
                        (
                            f"$.{section.key}[{index}].{key}",
                            f"the {label} of {section.noun} '{name}'",
                            text,
                        )
                    )
    warnings = []
    for texts in kinds.values():
        ended = sum(_ends_sentence(text) for _, _, text in texts)
        for path, label, text in texts:
            others_ended = ended - _ends_sentence(text)
            if _ends_sentence(text) or others_ended * 2 < len(texts) - 1:
                continue
            where = source.where(path)
            tail = text.rstrip()[-30:].lstrip()
            warnings.append(
                f"{label}{f' ({where})' if where else ''} may be cut off: it ends "
                f"‘…{tail}’ without a full stop"
            )
    return warnings
