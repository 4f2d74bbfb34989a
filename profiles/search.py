"""Finding role profiles by their words.

Each profile keeps two values-only search texts (documents.search_text()):
`published_text`, the version in force's, which readers search, and
`search_text`, the working copy's, which HR search. Keys of the JSON are
never in them.

On PostgreSQL each text has a stored tsvector beside it (see migration
0012), kept by a trigger that parses a text only when it changed and gives
the version in force the working copy's vectors when they say the same
(migration 0018), with a GIN index: a search is full-text, every word a prefix
('kube' finds Kubernetes), ranked with ts_rank over the title and summary
(migration 0015; ties by title), and the page's rows get a
highlighted snippet (ts_headline, for those rows only). A search that
finds nothing offers "Did you mean …?" from a table of the words the texts
hold (trigram index). On SQLite every word must be found as a substring,
as before: the same results on the tests' data, without ranking, snippets
or suggestions.

`search_text` is rebuilt in one SQL statement for any number of profiles
(refresh_search_text), so an edit costs one query and a catalogue text
that thousands of profiles show is rewritten in bulk. An import, which
holds the document it has just written, stores documents.search_text() of
it with the profile's row instead (the same text; tests check both) and
adds its words with add_known_words().
"""

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Q, TextField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from competency.search import words as search_words
from profiles.models import RoleProfile
from profiles.sections import SECTIONS

CONFIG = "english"
# The table of words the texts hold (PostgreSQL only: migration 0013), how
# a text splits into them, and the lengths kept.
WORDS = "profiles_searchword"
WORD_SPLIT = "[^[:alnum:]]+"
MIN_WORD, MAX_WORD = 3, 40
OWN_LISTS = ("responsibilities", "background", "prior_knowledge")

# ---------------------------------------------------------------------------
# Keeping the working copy's search text in step
# ---------------------------------------------------------------------------


def _quote(name):
    return connection.ops.quote_name(name)


def _link_parts(slot, section, table):
    """SELECTs of the (slot, position, id, key, text) rows of one section's
    searched texts, for the profile of the outer `table` row."""
    model = section.link_model
    joins, aliases, columns = [], {}, []
    for lookup in section.search_lookups:
        current, alias, path = model, "l", ()
        *relations, last = lookup.split("__")
        for name in relations:
            field = current._meta.get_field(name)
            path += (name,)
            if path not in aliases:
                aliases[path] = f"j{len(aliases)}"
                target = field.related_model
                joins.append(
                    f"JOIN {_quote(target._meta.db_table)} {aliases[path]} ON "
                    f"{aliases[path]}.{_quote(target._meta.pk.column)} = "
                    f"{alias}.{_quote(field.column)}"
                )
            current, alias = field.related_model, aliases[path]
        columns.append(f"{alias}.{_quote(current._meta.get_field(last).column)}")
    source = " ".join([f"{_quote(model._meta.db_table)} l", *joins])
    profile = _quote(model._meta.get_field("profile").column)
    return [
        f"SELECT {slot}, l.{_quote('position')}, l.{_quote('id')}, {key}, {column} "
        f"FROM {source} WHERE l.{profile} = {table}.{_quote('id')}"
        for key, column in enumerate(columns)
    ]


def search_text_sql():
    """An SQL expression of the search text of the outer profiles-table row:
    documents.search_text() of its working copy, to the character (its
    texts, then each section's rows in order, empty texts left out, joined
    by newlines)."""
    table = _quote(RoleProfile._meta.db_table)
    postgres = connection.vendor == "postgresql"
    parts = [
        f"SELECT 0 AS s, 0 AS o, 0 AS i, 0 AS f, {table}.{_quote('title')} AS part",
        f"SELECT 1, 0, 0, 0, {table}.{_quote('summary')}",
    ]
    for slot, name in enumerate(OWN_LISTS, start=2):
        column = f"{table}.{_quote(name)}"
        if postgres:
            parts.append(
                f"SELECT {slot}, t.o, 0, 0, t.v "
                f"FROM jsonb_array_elements_text({column}) WITH ORDINALITY AS t(v, o)"
            )
        else:
            parts.append(f"SELECT {slot}, t.key, 0, 0, t.value FROM json_each({column}) AS t")
    for slot, section in enumerate(SECTIONS, start=2 + len(OWN_LISTS)):
        parts += _link_parts(slot, section, table)
    union = " UNION ALL ".join(parts)
    if postgres:
        aggregate = (
            f"SELECT string_agg(part, E'\\n' ORDER BY s, o, i, f) FROM ({union}) AS parts "
            "WHERE part <> ''"
        )
    else:
        # SQLite (before 3.44) has no ORDER BY inside group_concat; it
        # aggregates an ordered subquery in its order.
        aggregate = (
            f"SELECT group_concat(part, char(10)) FROM (SELECT part FROM ({union}) "
            "WHERE part <> '' ORDER BY s, o, i, f)"
        )
    return f"COALESCE(({aggregate}), '')"


def refresh_search_text(profiles, *, words=True):
    """Rebuild the working copy's search text of `profiles` (a RoleProfile,
    a queryset of them, or ids) in one statement, whatever their number.

    Every change to a working copy's content calls this after writing it;
    a test per path checks the stored text is search_text() of the
    document afterwards. `words=False` leaves the table of known words
    alone (migration 0012 runs before it exists)."""
    if isinstance(profiles, RoleProfile):
        profiles = [profiles.pk]
    if hasattr(profiles, "query"):
        where, params = profiles.order_by().values("pk").query.sql_with_params()
    else:
        ids = [pk for pk in profiles if pk is not None]
        if not ids:
            return
        where, params = ", ".join(["%s"] * len(ids)), ids
    table = _quote(RoleProfile._meta.db_table)
    update = (
        f"UPDATE {table} SET {_quote('search_text')} = {search_text_sql()}, "
        # The document changed with the text: its fingerprint is not known
        # until a read builds it (profiles.fingerprints).
        f"{_quote('working_fingerprint')} = '' "
        f"WHERE {table}.{_quote('id')} IN ({where})"
    )
    if words and full_text():
        # The same statement adds the texts' new words to those "Did you
        # mean …?" draws on.
        update = f"WITH changed AS ({update} RETURNING search_text) " + _add_words(
            "changed.search_text", "changed"
        )
    with connection.cursor() as cursor:
        cursor.execute(update, params)


def _add_words(text, source=""):
    """An INSERT of the words of the SQL expression `text` (of the rows of
    `source`, if any) into the table of known words."""
    source = f"{source}, " if source else ""
    return (
        f"INSERT INTO {WORDS} (word) SELECT DISTINCT w FROM {source}"
        f"regexp_split_to_table(lower({text}), '{WORD_SPLIT}') AS w "
        f"WHERE length(w) BETWEEN {MIN_WORD} AND {MAX_WORD} ON CONFLICT DO NOTHING"
    )


def add_known_words(text):
    """Add a search text's words to those "Did you mean …?" draws on (one
    query; none on SQLite), for a writer that stored the text itself: an
    import writes the search text it built from the document it wrote
    (documents.search_text(), the same text refresh_search_text() builds
    from the rows) with the profile's own row."""
    if text and full_text():
        with connection.cursor() as cursor:
            cursor.execute(_add_words("%s"), [text])


def shown_by(model):
    """(link model, lookup from a link to `model`, the fields of `model` in
    the search text) for every section whose search text shows a field of
    `model`: a catalogue item, its awarding body, a skill or its category."""
    found = []
    for section in SECTIONS:
        for lookup in section.search_lookups:
            *relations, last = lookup.split("__")
            current = section.link_model
            for depth, name in enumerate(relations, start=1):
                current = current._meta.get_field(name).related_model
                if current is model and depth == len(relations):
                    found.append((section.link_model, "__".join(relations), last))
    return found


def searched_catalogue_models():
    """The catalogue models whose texts are in profiles' search texts."""
    models = set()
    for section in SECTIONS:
        for lookup in section.search_lookups:
            current = section.link_model
            for name in lookup.split("__")[:-1]:
                current = current._meta.get_field(name).related_model
                models.add(current)
    return models


def catalogue_text_saved(sender, instance, created, update_fields=None, **kwargs):
    """A catalogue text that profiles show was saved (in the admin: imports
    never rewrite a title or name in place): rebuild the search text of every
    profile that shows it, in one statement however many they are."""
    if created:
        return  # no profile uses it yet
    uses = shown_by(sender)
    if update_fields is not None:
        uses = [use for use in uses if use[2] in update_fields]
    if not uses:
        return
    condition = Q()
    for link_model, lookup, _ in uses:
        condition |= Q(pk__in=link_model.objects.filter(**{lookup: instance}).values("profile"))
    refresh_search_text(RoleProfile.objects.filter(condition))


# ---------------------------------------------------------------------------
# Searching
# ---------------------------------------------------------------------------

# Around the highlighted words in ts_headline's answer: characters no
# profile text holds, so the answer can be escaped whole and the marks put
# back as <mark> (a text that did hold them is still escaped).
START, STOP = "\x02", "\x03"
# How many of a search text's lines a snippet is made from (see
# ProfileSearch.lines_to_headline).
LINES_HEADLINED = 8


def full_text():
    return connection.vendor == "postgresql"


def prefix_query(text):
    """to_tsquery's text for a search: every word required, each a prefix
    ('kube' finds Kubernetes). Each word is quoted, so what it holds is
    parsed as words, never as the query language's operators; a word of
    several parts ('CI/CD', 'level_description') must be found as those
    parts side by side."""
    return " & ".join(
        "'{}':*".format(word.replace("\\", "\\\\").replace("'", "''"))
        for word in search_words(text)
    )


class UnseenQuery(SearchQuery):
    """The search's tsquery as a scalar subquery, `(SELECT to_tsquery(...))`,
    which PostgreSQL evaluates once, at run time.

    Given the query itself, the planner reads from the vector's statistics
    that a common word (a skill most profiles ask for) matches nearly every
    row, and then prefers a sequential scan that detoasts every stored
    vector (~5.5 KB each) to test it: ~100 ms per query at 5,000 profiles.
    It charges nothing for detoasting, so no other shape of the query
    changes its mind. Not knowing the words, it assumes few matches and
    reads them from the GIN index, which answers without opening a vector:
    one bitmap whatever the number of matches. Only the match is written
    this way; ranking reads the small vectors kept in the row."""

    template = "(SELECT %(function)s(%(expressions)s))"


class ProfileSearch:
    """One person's search: readers search the version in force's text,
    HR the working copy's."""

    def __init__(self, text, *, reader):
        self.text = text
        self.words = search_words(text)
        self.reader = reader
        self.column = "published_text" if reader else "search_text"
        self.vector = "published_vector" if reader else "search_vector"
        # Ranked by the title (A) and summary (B) only (migration 0015):
        # small vectors kept in the row, where the full one is read out of
        # line for every match (thousands for a common word).
        self.rank_vector = "published_rank_vector" if reader else "search_rank_vector"

    def query(self, text=None):
        return SearchQuery(prefix_query(text or self.text), search_type="raw", config=CONFIG)

    def vector_sql(self, column=None):
        table = _quote(RoleProfile._meta.db_table)
        return RawSQL(
            f"{table}.{_quote(column or self.vector)}", [], output_field=SearchVectorField()
        )

    def filter(self, queryset):
        """The profiles holding every word; on PostgreSQL with `relevance`
        to order by."""
        if not self.words:
            return queryset
        if not full_text():
            # SQLite: every word as a substring of the same text.
            for word in self.words:
                queryset = queryset.filter(**{f"{self.column}__icontains": word})
            return queryset
        query = self.query()
        unseen = UnseenQuery(prefix_query(self.text), search_type="raw", config=CONFIG)
        return queryset.alias(
            matched_vector=self.vector_sql(),
            relevance=SearchRank(self.vector_sql(self.rank_vector), query),
        ).filter(matched_vector=unseen)

    def snippets(self, profiles):
        """{pk: the text around the words found, highlighted with <mark>}
        for these profiles (a page of results): one query, only for them."""
        if not (self.words and full_text() and profiles):
            return {}
        rows = RoleProfile.objects.filter(pk__in=[profile.pk for profile in profiles])
        rows = rows.annotate(
            snippet=SearchHeadline(
                self.lines_to_headline(),
                self.query(),
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        return {pk: highlighted(snippet) for pk, snippet in rows.values_list("pk", "snippet")}

    def lines_to_headline(self):
        """The lines of the search text that may hold a word searched for,
        or the whole text if none seems to.

        ts_headline parses the whole text it is given (~12.7 KB, a
        millisecond or more each, twenty times a page) to find the few
        words it marks. The text is one line per part, so the lines are
        picked first by a plain substring test, which parses nothing: a
        line is kept when it holds the start of a query's lexeme (the
        stem less its last two letters, which the stemmer may have
        rewritten: "compani" is found in "company" as "compa"). A line
        kept for nothing costs a little parsing; no line with a match is
        dropped for want of the substring, since every word that matches a
        lexeme's prefix begins with it less the rewritten ending. Of those,
        the LINES_HEADLINED that hold the most of the words (the first of
        equals) are kept, in their order: the snippet shows two fragments,
        and a common word is on dozens of lines."""
        table = _quote(RoleProfile._meta.db_table)
        column = f"{table}.{_quote(self.column)}"
        starts = (
            "ARRAY(SELECT '%%' || replace(replace(replace(left(l.lexeme, "
            "greatest(3, length(l.lexeme) - 2)), '\\', '\\\\'), '%%', '\\%%'), '_', "
            "'\\_') || '%%' FROM unnest(to_tsvector(%s::regconfig, %s)) AS l)"
        )
        sql = (
            f"COALESCE((SELECT string_agg(k.line, E'\\n' ORDER BY k.n) FROM ("
            f"SELECT t.line, t.n FROM string_to_table({column}, E'\\n') "
            f"WITH ORDINALITY AS t(line, n), LATERAL (SELECT count(*) AS found "
            f"FROM unnest({starts}) AS s(start) WHERE lower(t.line) LIKE s.start) AS m "
            f"WHERE m.found > 0 ORDER BY m.found DESC, t.n LIMIT {LINES_HEADLINED}) AS k), "
            f"{column})"
        )
        return RawSQL(sql, [CONFIG, " ".join(self.words)], output_field=TextField())

    def correction(self):
        """The search with each word that begins no known word replaced by
        the nearest known word (trigram similarity over the table of
        distinct words; one query), or None when nothing changes. Known
        words come from every profile's texts, drafts included, so the
        caller offers a correction only if it finds what the person may
        see. PostgreSQL only."""
        if not (self.words and full_text()):
            return None
        plain = [word.lower() for word in self.words]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT q.n, q.w, EXISTS (SELECT 1 FROM {WORDS} WHERE word LIKE "
                "replace(replace(replace(q.w, '\\', '\\\\'), '%%', '\\%%'), '_', '\\_') "
                f"|| '%%'), (SELECT word FROM {WORDS} WHERE word %% q.w "
                "ORDER BY word <-> q.w, word LIMIT 1) "
                "FROM unnest(%s::text[]) WITH ORDINALITY AS q(w, n) ORDER BY q.n",
                [plain],
            )
            rows = cursor.fetchall()
        corrected = [
            nearest if nearest and not known and re.fullmatch(r"\w+", word) else original
            for (_, word, known, nearest), original in zip(rows, self.words, strict=True)
        ]
        return None if corrected == self.words else " ".join(corrected)


def highlighted(snippet):
    """ts_headline's answer as safe HTML: everything escaped, the words
    found in <mark>, the text's lines run together with a middle dot."""
    html = []
    for number, chunk in enumerate(snippet.split(START)):
        found, _, rest = chunk.partition(STOP) if number else ("", "", chunk)
        if found:
            html.append(f"<mark>{escape(found.replace(STOP, ''))}</mark>")
        html.append(escape(rest.replace(STOP, "")))
    text = "".join(html)
    # Every piece was escaped above.
    return mark_safe(re.sub(r"\s*\n\s*", " · ", text.strip()))
