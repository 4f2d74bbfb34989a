"""Old and new wording with the changed words marked (competency/word_diff.py).

    {% load word_diff_tags %}
    {% with diff=change.before|word_diff:change.after %}
      {% changed_words diff "before" %}   the old text, removed words marked
      {% changed_words diff "after" %}    the new text, added words marked
    {% endwith %}

The marks say what they are in words as well as in colour: a removed run
is a <del> (struck through) and an added one an <ins> (underlined), each
opening with visually hidden words ("removed:", "added:") for screen
readers, which announce neither element by default; struck-through and
underlined text stays legible on a greyscale print. With neutral=True (two
different profiles, where neither side is older) the differing words are
marked alike, "differs:".
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from competency.word_diff import ADDED, GAP, REMOVED, SAME
from competency.word_diff import word_diff as compare

register = template.Library()

_MARKS = {
    REMOVED: ("del", "app-words app-words--removed", "removed"),
    ADDED: ("ins", "app-words app-words--added", "added"),
}
_NEUTRAL = ("mark", "app-words app-words--differs", "differs")
_GAP_WORDS = {SAME: "the same", REMOVED: "more removed", ADDED: "more added"}


@register.filter
def word_diff(before, after):
    """The WordDiff of two texts (lists are compared a line an item)."""
    return compare(_text(before), _text(after))


def _text(value):
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    return "" if value is None else str(value)


def _words_html(run, marked):
    """A run's words, each line break kept; inside a mark a line break is
    shown too (¶), since a removed or added break is otherwise invisible."""
    lines = run.text.split("\n")
    if marked:
        return format_html_join("¶\n", "{}", ((line,) for line in lines))
    return format_html_join("\n", "{}", ((line,) for line in lines))


@register.simple_tag
def changed_words(diff, side, neutral=False):
    """One side ("before" or "after") of a WordDiff as HTML, with the
    runs that differ marked; "(empty)" for no text."""
    runs = diff.before if side == "before" else diff.after
    if not runs:
        return mark_safe('<span class="app-words--empty">(empty)</span>')
    parts = []
    previous = None
    for run in runs:
        if previous is not None and not (
            (previous.words and previous.words[-1] == "\n") or (run.words and run.words[0] == "\n")
        ):
            parts.append(" ")
        if run.kind == GAP:
            noun = "word" if run.count == 1 else "words"
            parts.append(
                format_html(
                    '<span class="app-words--gap">[… {} {} {} …]</span>',
                    run.count,
                    noun,
                    _GAP_WORDS[run.of],
                )
            )
        elif run.kind == SAME:
            parts.append(_words_html(run, marked=False))
        else:
            element, classes, word = _NEUTRAL if neutral else _MARKS[run.kind]
            parts.append(
                format_html(
                    '<{} class="{}"><span class="govuk-visually-hidden">({}: </span>{}'
                    '<span class="govuk-visually-hidden">)</span></{}>',
                    mark_safe(element),
                    classes,
                    word,
                    _words_html(run, marked=True),
                    mark_safe(element),
                )
            )
        previous = run
    if diff.only_spacing and side == "after":
        parts.append(mark_safe(' <span class="app-words--note">(only the spacing changed)</span>'))
    return mark_safe("".join(str(part) for part in parts))
