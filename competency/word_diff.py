"""Which words of a text changed: the old and the new wording side by side,
the removed and added words marked, for people to read.

Texts are compared as words (Python's difflib on the words, not on the
characters), so "deploy" → "deployment" marks one word rather than a
scatter of letters, and a change of spacing alone marks nothing (it is
reported as such). Line breaks count as words of their own: in a list of
responsibilities (one a line) a line split in two is a change.

Bounded for any text: the common start and end are set aside first (one
pass, however long), and the middle between the first and last change is
compared word by word only within a budget of work (WORK); beyond it, or
beyond MAX_WORDS a side, the middle is marked as replaced whole (difflib's
cost grows with the product of the lengths, and on a text of a few words
repeated, with its cube). What is shown is bounded too: long runs of
unchanged words keep CONTEXT words beside each change, and a long run of
changed words shows its start and how many more follow.
"""

import re
from contextlib import suppress
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import accumulate

# Beyond this many words a side (after the common start and end), the middle
# is marked as replaced whole without being compared.
MAX_WORDS = 3000
# How much comparing the middle word by word may cost, in the steps of
# difflib's search (see _Bounded): about 0.1 s here. A rewrite of a few
# hundred words costs thousands; 2,000 words of prose changed throughout, or
# a long text of a few words repeated (minutes, unbounded), stop here.
WORK = 300_000
# Unchanged words kept beside a change when a run of them is cut short.
CONTEXT = 12
# A changed run longer than this shows its first LONG_RUN words.
LONG_RUN = 120

SAME, REMOVED, ADDED, GAP = "same", "removed", "added", "gap"

_WORD = re.compile(r"\n|[^\s]+")


@dataclass(frozen=True)
class Run:
    """Words of one kind in a row: SAME, REMOVED (only on the old side),
    ADDED (only on the new side), or GAP (`count` words left out: unchanged
    ones between changes, or the rest of a long changed run, of `of` kind)."""

    kind: str
    words: tuple = ()
    count: int = 0
    of: str = SAME

    @property
    def text(self):
        """The words as they read: spaces between words, line breaks kept."""
        out = []
        for word in self.words:
            if out and word != "\n" and out[-1] != "\n":
                out.append(" ")
            out.append(word)
        return "".join(out)


@dataclass(frozen=True)
class WordDiff:
    before: tuple  # Runs of the old text: SAME, REMOVED, GAP
    after: tuple  # Runs of the new text: SAME, ADDED, GAP
    # The texts differ, but only in spaces or line breaks that fall between
    # the same words (so no word is marked).
    only_spacing: bool = False
    # The middle was too long to compare word by word and is marked whole.
    coarse: bool = False

    @property
    def changed(self):
        return self.only_spacing or any(
            run.kind in (REMOVED, ADDED) or (run.kind == GAP and run.of != SAME)
            for run in (*self.before, *self.after)
        )


def words(text):
    """The words of a text, each line break a word of its own (runs of
    spaces and tabs only separate words; blank lines count once)."""
    found = _WORD.findall(text or "")
    # A line break at either end, or after another, separates nothing.
    tidy = []
    for word in found:
        if word == "\n" and (not tidy or tidy[-1] == "\n"):
            continue
        tidy.append(word)
    while tidy and tidy[-1] == "\n":
        tidy.pop()
    return tidy


def word_diff(before, after, *, context=CONTEXT):
    """The old and new text as runs of words, the changed ones marked."""
    before, after = before or "", after or ""
    old, new = words(before), words(after)
    if old == new:
        side = _cut_same([Run(SAME, tuple(old))], context) if old else []
        return WordDiff(tuple(side), tuple(side), only_spacing=before != after)
    # The common start and end, set aside in one pass.
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while (
        end < min(len(old), len(new)) - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]
    ):
        end += 1
    old_middle, new_middle = old[start : len(old) - end], new[start : len(new) - end]
    head, tail = old[:start], old[len(old) - end :]
    opcodes = None
    if len(old_middle) <= MAX_WORDS and len(new_middle) <= MAX_WORDS:
        with suppress(_TooMuchWork):
            opcodes = _Bounded(old_middle, new_middle, WORK).get_opcodes()
    coarse = opcodes is None
    if coarse:
        opcodes = [("replace", 0, len(old_middle), 0, len(new_middle))]
    else:
        opcodes = _without_chance_matches(opcodes)
    old_runs, new_runs = [Run(SAME, tuple(head))], [Run(SAME, tuple(head))]
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            old_runs.append(Run(SAME, tuple(old_middle[i1:i2])))
            new_runs.append(Run(SAME, tuple(new_middle[j1:j2])))
            continue
        if i2 > i1:
            old_runs.append(Run(REMOVED, tuple(old_middle[i1:i2])))
        if j2 > j1:
            new_runs.append(Run(ADDED, tuple(new_middle[j1:j2])))
    old_runs.append(Run(SAME, tuple(tail)))
    new_runs.append(Run(SAME, tuple(tail)))
    return WordDiff(
        tuple(_cut(_joined(old_runs), context)),
        tuple(_cut(_joined(new_runs), context)),
        coarse=coarse,
    )


class _TooMuchWork(Exception):
    pass


class _Bounded(SequenceMatcher):
    """difflib's matcher with a budget of work, counted before each search.

    Each find_longest_match(alo, ahi, …) looks, for every word of a[alo:ahi],
    at every place that word has in b (difflib's b2j index): its cost is
    known beforehand from running totals of those counts, so the budget is
    checked in constant time and the whole comparison is refused before it
    runs long, the same on every machine.

    No "junk" heuristic (autojunk): in a long text it refuses to match the
    commonest words ("and", "the"), marking far more than changed."""

    def __init__(self, a, b, budget):
        super().__init__(None, a, b, autojunk=False)
        self._spent = list(accumulate((len(self.b2j.get(word, ())) for word in a), initial=0))
        self._budget = budget

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        self._budget -= (ahi - alo) + self._spent[ahi] - self._spent[alo]
        if self._budget < 0:
            raise _TooMuchWork
        return super().find_longest_match(alo, ahi, blo, bhi)


# An unchanged run this many times shorter than the changes around it is
# a chance match ("the" kept from a rewritten sentence): marked as changed.
CHANCE = 4


def _without_chance_matches(opcodes):
    """The opcodes with each short unchanged run between two changes that
    dwarf it made part of them: a text rewritten but for a "the" reads as
    rewritten, not as two changes around a "the"."""

    def size(code):
        _, i1, i2, j1, j2 = code
        return max(i2 - i1, j2 - j1)

    codes = list(opcodes)
    for index in range(1, len(codes) - 1):
        tag, i1, i2, j1, j2 = codes[index]
        if tag == "equal" and (i2 - i1) * CHANCE < size(codes[index - 1]) + size(codes[index + 1]):
            codes[index] = ("replace", i1, i2, j1, j2)
    return codes


def _joined(runs):
    """Adjacent runs of one kind as one; empty runs dropped."""
    out = []
    for run in runs:
        if not run.words:
            continue
        if out and out[-1].kind == run.kind:
            out[-1] = Run(run.kind, out[-1].words + run.words)
        else:
            out.append(run)
    return out


def _cut(runs, context):
    """Long runs shortened: unchanged ones to `context` words beside each
    change, changed ones to their first LONG_RUN words."""
    out = []
    last = len(runs) - 1
    for index, run in enumerate(runs):
        if run.kind != SAME:
            if len(run.words) > LONG_RUN + context:
                out += [
                    Run(run.kind, run.words[:LONG_RUN]),
                    Run(GAP, count=len(run.words) - LONG_RUN, of=run.kind),
                ]
            else:
                out.append(run)
            continue
        keep_start = context if index > 0 else 0  # after a change
        keep_end = context if index < last else 0  # before a change
        out += _cut_same([run], context, keep_start, keep_end)
    return out


def _cut_same(runs, context, keep_start=None, keep_end=None):
    (run,) = runs
    if keep_start is None:
        # A text with no change at all: its start, and how much more.
        keep_start, keep_end = 2 * context + LONG_RUN, 0
    hidden = len(run.words) - keep_start - keep_end
    # Leave out only what is worth a gap: a few words are shown, not counted.
    if hidden <= context:
        return [run]
    parts = []
    if keep_start:
        parts.append(Run(SAME, run.words[:keep_start]))
    parts.append(Run(GAP, count=hidden))
    if keep_end:
        parts.append(Run(SAME, run.words[-keep_end:]))
    return parts
