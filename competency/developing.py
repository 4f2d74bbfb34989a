"""Which skills and knowledge items a training item or PDA develops, as HR
say: the catalogue pages and the API change it only here.

A development plan offers the items that develop a gap's skill or knowledge
item first (appraisals/plans.py). The link belongs to the catalogue item, so
every profile offering it and every import reusing it (by its text) keeps
it. Each change is kept in the item's history, with what changed as the
record's reason.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from competency.models import DevelopmentActivity, KnowledgeItem, Skill, Training, fingerprint

DEVELOPING_MODELS = (Training, DevelopmentActivity)


def develops(item):
    """(skills, knowledge items) the item develops, in reading order."""
    return (
        list(item.develops_skills.select_related("category__framework").order_by("name", "pk")),
        list(item.develops_knowledge.order_by("title", "pk")),
    )


def developed_fingerprint(item):
    """What the API's ETag for an item's links is: the ids it develops."""
    skills = sorted(item.develops_skills.values_list("pk", flat=True))
    knowledge = sorted(item.develops_knowledge.values_list("pk", flat=True))
    return fingerprint("develops", skills, knowledge)


def lock(item):
    """The item's row, locked until the transaction ends (call inside one)."""
    return type(item).objects.select_for_update().get(pk=item.pk)


def _record(item, reason):
    # A history record of the item whose reason says what changed: the
    # links are a table of their own, which the item's history does not see.
    item._change_reason = reason[:100]
    item.save()


def _check(item):
    if not isinstance(item, DEVELOPING_MODELS):
        raise ValidationError("Only training items and PDAs develop skills or knowledge.")


@transaction.atomic
def add_developed(*, item, skill=None, knowledge_item=None):
    """Say the item develops one skill or knowledge item (no change when it
    already does)."""
    _check(item)
    if (skill is None) == (knowledge_item is None):
        raise ValidationError("Choose one skill or one knowledge item.")
    item = lock(item)
    related, target = (
        (item.develops_skills, skill)
        if skill is not None
        else (item.develops_knowledge, knowledge_item)
    )
    if related.filter(pk=target.pk).exists():
        return item
    related.add(target)
    _record(item, f"Develops {target.name if skill is not None else target.title}: added")
    return item


@transaction.atomic
def remove_developed(*, item, skill=None, knowledge_item=None):
    """Say the item no longer develops a skill or knowledge item."""
    _check(item)
    if (skill is None) == (knowledge_item is None):
        raise ValidationError("Choose one skill or one knowledge item.")
    item = lock(item)
    related, target = (
        (item.develops_skills, skill)
        if skill is not None
        else (item.develops_knowledge, knowledge_item)
    )
    if not related.filter(pk=target.pk).exists():
        return item
    related.remove(target)
    _record(item, f"Develops {target.name if skill is not None else target.title}: removed")
    return item


def set_developed(*, item, skills, knowledge_items):
    """Replace what a locked item develops (the API's PUT, which checks
    If-Match under the same lock first). Call inside a transaction."""
    _check(item)
    skills = list(skills)
    knowledge_items = list(knowledge_items)
    before = developed_fingerprint(item)
    item.develops_skills.set(skills)
    item.develops_knowledge.set(knowledge_items)
    if developed_fingerprint(item) != before:
        _record(
            item,
            f"Develops: now {len(skills)} skill(s), {len(knowledge_items)} knowledge item(s)",
        )
    return item


def find_developable(text, limit=20):
    """Skills and knowledge items holding every word of `text` in their
    name, for HR choosing what an item develops: (skills, knowledge items),
    at most `limit` of each."""
    words = text.split()
    if not words:
        return [], []
    skills = Skill.objects.select_related("category__framework")
    knowledge = KnowledgeItem.objects.all()
    for word in words:
        skills = skills.filter(name__icontains=word)
        knowledge = knowledge.filter(title__icontains=word)
    return (
        list(skills.order_by("name", "pk")[:limit]),
        list(knowledge.order_by("title", "pk")[:limit]),
    )
