"""Which words of a text changed (competency/word_diff.py): the cases where
a comparison of words is easy to get subtly wrong, and its bounds."""

import random
import time

from django.template import Context, Template

from competency.word_diff import ADDED, GAP, REMOVED, SAME, word_diff, words


def kinds(runs):
    return [(run.kind, run.text if run.kind != GAP else run.count) for run in runs]


def side_words(runs, kind):
    """A side's words, gaps left out, as they read."""
    return [word for run in runs if run.kind in (SAME, kind) for word in run.words]


def test_a_changed_word_is_marked_on_each_side_and_the_rest_is_not():
    diff = word_diff(
        "Builds deployment pipelines for services.",
        "Builds delivery pipelines for the services.",
    )
    assert kinds(diff.before) == [
        (SAME, "Builds"),
        (REMOVED, "deployment"),
        (SAME, "pipelines for services."),
    ]
    assert kinds(diff.after) == [
        (SAME, "Builds"),
        (ADDED, "delivery"),
        (SAME, "pipelines for"),
        (ADDED, "the"),
        (SAME, "services."),
    ]
    assert diff.changed and not diff.only_spacing and not diff.coarse


def test_words_are_compared_whole_not_letter_by_letter():
    diff = word_diff("deploy often", "deployment often")
    assert kinds(diff.before) == [(REMOVED, "deploy"), (SAME, "often")]
    assert kinds(diff.after) == [(ADDED, "deployment"), (SAME, "often")]


def test_a_change_of_spacing_alone_marks_no_word_but_is_reported():
    diff = word_diff("Runs  the\tteam. ", "Runs the team.")
    assert kinds(diff.before) == kinds(diff.after) == [(SAME, "Runs the team.")]
    assert diff.only_spacing and diff.changed
    same = word_diff("Runs the team.", "Runs the team.")
    assert not same.changed and not same.only_spacing


def test_a_line_break_is_a_word_so_a_line_split_in_two_is_a_change():
    # A list of responsibilities, one a line: a split line is a new item.
    diff = word_diff("Leads the team and sets standards", "Leads the team\nand sets standards")
    assert kinds(diff.after) == [
        (SAME, "Leads the team"),
        (ADDED, "\n"),
        (SAME, "and sets standards"),
    ]
    assert kinds(diff.before) == [(SAME, "Leads the team and sets standards")]
    # Blank lines and breaks at the ends separate nothing more.
    assert words("\n\nOne\n\n\nTwo\n") == ["One", "\n", "Two"]


def test_reordered_words_are_removed_where_they_were_and_added_where_they_are():
    diff = word_diff("alpha beta gamma delta", "gamma delta alpha beta")
    # Each side reads as its own text once the other side's marks are left out.
    assert side_words(diff.before, REMOVED) == ["alpha", "beta", "gamma", "delta"]
    assert side_words(diff.after, ADDED) == ["gamma", "delta", "alpha", "beta"]
    # Half of it kept in place, the other half moved: not all marked.
    assert [run.kind for run in diff.before].count(SAME) == 1
    assert sum(len(run.words) for run in diff.before if run.kind == REMOVED) == 2


def test_empty_texts_and_none():
    assert word_diff("", "") == word_diff(None, None)
    assert not word_diff(None, "").changed
    diff = word_diff("", "New text")
    assert kinds(diff.before) == [] and kinds(diff.after) == [(ADDED, "New text")]
    diff = word_diff("Old text", None)
    assert kinds(diff.before) == [(REMOVED, "Old text")] and kinds(diff.after) == []


def test_a_long_text_with_one_change_shows_the_change_with_a_few_words_around_it():
    before = " ".join(f"w{number}" for number in range(1000))
    after = before.replace("w500", "CHANGED")
    diff = word_diff(before, after, context=3)
    assert kinds(diff.before) == [
        (GAP, 497),
        (SAME, "w497 w498 w499"),
        (REMOVED, "w500"),
        (SAME, "w501 w502 w503"),
        (GAP, 496),
    ]
    assert kinds(diff.after)[2] == (ADDED, "CHANGED")


def test_a_long_rewrite_shows_its_start_and_counts_the_rest():
    before = " ".join(f"old{number}" for number in range(5000))
    after = " ".join(f"new{number}" for number in range(5000))
    diff = word_diff(before, after)
    (shown, rest) = diff.before
    assert shown.kind == REMOVED and len(shown.words) == 120
    assert (rest.kind, rest.of, rest.count) == (GAP, REMOVED, 4880)
    assert sum(len(run.words) for run in diff.after) == 120


def test_the_worst_texts_are_bounded_in_time_and_marked_whole():
    """A few words repeated thousands of times is difflib's worst case
    (minutes unbounded); prose changed throughout is its usual hard case."""
    random.seed(19)
    cases = [
        (" ".join(["the"] * 3000), " ".join(["the", "a"] * 1500)),
        (
            " ".join(random.choice("ab") for _ in range(3000)),
            " ".join(random.choice("ab") for _ in range(3000)),
        ),
        (" ".join(["word"] * 200_000), " ".join(["word"] * 100_000 + ["other"] * 100_000)),
    ]
    for before, after in cases:
        started = time.perf_counter()
        diff = word_diff(before, after)
        assert time.perf_counter() - started < 2  # 0.2 s here, on a busy machine
        assert side_words(diff.before, REMOVED) or diff.coarse
        # Whatever the input, what is shown stays small.
        assert sum(len(run.words) for run in (*diff.before, *diff.after)) < 400


def test_prose_with_a_few_changes_is_compared_word_by_word():
    prose = " ".join(
        f"Step {number} designs pipelines that are observable, idempotent and cheap to "
        "re-run when something goes wrong upstream and the team has to recover."
        for number in range(20)
    )
    changed = prose.replace("cheap", "quick", 3).replace("team", "people")
    diff = word_diff(prose, changed, context=1000)
    assert not diff.coarse
    assert [run.text for run in diff.after if run.kind == ADDED] == (
        ["quick", "people"] * 3 + ["people"] * 17
    )
    assert side_words(diff.after, ADDED) == changed.split()
    assert side_words(diff.before, REMOVED) == prose.split()


def render(template, **context):
    return Template("{% load word_diff_tags %}" + template).render(Context(context))


def test_the_marks_say_in_words_what_they_mark():
    html = render(
        '{% with diff=a|word_diff:b %}{% changed_words diff "before" %}|'
        '{% changed_words diff "after" %}{% endwith %}',
        a="Run <b>deployment</b> pipelines",
        b="Run delivery pipelines",
    )
    before, after = html.split("|")
    assert before == (
        'Run <del class="app-words app-words--removed"><span class="govuk-visually-hidden">'
        "(removed: </span>&lt;b&gt;deployment&lt;/b&gt;"
        '<span class="govuk-visually-hidden">)</span></del> pipelines'
    )
    assert after.startswith(
        'Run <ins class="app-words app-words--added"><span class="govuk-visually-hidden">(added: '
    )
    neutral = render(
        '{% with diff=a|word_diff:b %}{% changed_words diff "after" neutral=True %}{% endwith %}',
        a="x",
        b="y",
    )
    assert "<mark" in neutral and "(differs: " in neutral


def test_lists_compare_a_line_an_item_and_an_added_line_break_is_visible():
    html = render(
        '{% with diff=a|word_diff:b %}{% changed_words diff "after" %}{% endwith %}',
        a=["Leads the team"],
        b=["Leads the team", "Sets standards"],
    )
    assert "Leads the team<ins" in html and "(added: </span>¶\nSets standards" in html


def test_a_rewritten_text_is_not_cut_up_around_a_word_kept_by_chance():
    diff = word_diff(
        "A senior engineer on the technical path designs platforms",
        "Typed just before pressing Move: this must survive the press.",
    )
    assert kinds(diff.before) == [
        (REMOVED, "A senior engineer on the technical path designs platforms")
    ]
    assert kinds(diff.after) == [
        (ADDED, "Typed just before pressing Move: this must survive the press.")
    ]
    # A kept word between changes no bigger than it stays kept.
    diff = word_diff("the team has to", "the people have to recover.")
    assert kinds(diff.after) == [
        (SAME, "the"),
        (ADDED, "people have"),
        (SAME, "to"),
        (ADDED, "recover."),
    ]
