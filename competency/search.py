"""Searching by words: every word must be found in one of the searched
texts. Bounded, so that a pasted essay is a short query, not a crash: the
first ten words of the first 200 characters count."""

from django.db.models import Q

MAX_LENGTH = 200
MAX_WORDS = 10


def words(text):
    return (text or "")[:MAX_LENGTH].split()[:MAX_WORDS]


def matching(queryset, text, fields):
    """Rows holding every word of `text` in one of `fields` (any case)."""
    for word in words(text):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
