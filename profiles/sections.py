"""The parts of a role profile that list catalogue items, described once.

Each Section says what the role-profile/1 document calls the part, how the
published page heads and lays it out, which link table holds it, what the
profile asks of each item (a depth, a level, or nothing), and how one item
reads as a row of the document. The document, the diff, the page-text
reader, the import, the search, the forms, the templates and the catalogue
pages all read SECTIONS; appraisals rate requirements from it. Lengths come
from the models, so a text that does not fit is refused the same way
everywhere.

SECTIONS is in the published page's order.
"""

from dataclasses import dataclass

from competency.catalogue import COMPONENT_KINDS
from competency.models import (
    AwardingBody,
    Category,
    Depth,
    DevelopmentActivity,
    KnowledgeItem,
    Qualification,
    Skill,
    SkillLevel,
    Training,
    WorkActivity,
)
from profiles.models import (
    ProfileDevelopmentActivity,
    ProfileKnowledge,
    ProfileQualification,
    ProfileSkill,
    ProfileTraining,
    ProfileWorkActivity,
)

DEPTH_LABELS = dict(Depth.choices)
NO_DEPTH = "No depth (behavioural)"


def max_length(model, field):
    return model._meta.get_field(field).max_length


@dataclass(frozen=True)
class Section:
    key: str  # the role-profile/1 document's key
    slug: str  # in URLs; the catalogue kind's slug where there is one
    heading: str  # as the published page heads the part
    link_model: type
    item_field: str  # the link's foreign key to the catalogue item
    # The published page's layout: headings that may stand before the
    # table, the table's own heading, and its line of column names.
    page_headings: tuple = ()
    page_table: str = ""
    page_columns: str = ""
    # What the profile asks of each item: "depth", "level" or nothing.
    requirement: str | None = None
    item_related: tuple = ()  # what an item's name is made of, to fetch with it

    # --- names ---------------------------------------------------------------

    @property
    def noun(self):
        """One item, in lower case: 'work activity'."""
        return str(self.link_model._meta.verbose_name)

    @property
    def plural(self):
        return str(self.link_model._meta.verbose_name_plural)

    @property
    def item_model(self):
        return self.link_model._meta.get_field(self.item_field).related_model

    @property
    def catalogue(self):
        """The component library's kind (None for organisation skills,
        which belong to a framework)."""
        return COMPONENT_KINDS.get(self.slug)

    # --- the database --------------------------------------------------------

    def links(self, profile):
        return getattr(profile, self.link_model._meta.default_related_name)

    def ordered_links(self, profile):
        related = [self.item_field, *(f"{self.item_field}__{r}" for r in self.item_related)]
        if self.requirement == "level":
            related.append("level")
        return self.links(profile).select_related(*related).order_by("position", "id")

    def items(self):
        return self.item_model.objects.select_related(*self.item_related)

    def item_of(self, link):
        return getattr(link, self.item_field)

    @property
    def search_fields(self):
        """The item's texts a search of the catalogue looks in."""
        return self.catalogue.search_fields

    item_order: str = "title"

    # --- the document --------------------------------------------------------

    # The row's keys with the model field that bounds each (for lengths).
    bounded: tuple = ()

    def limits(self):
        return {key: max_length(model, field) for key, model, field in self.bounded}

    def document_rows(self, profile):
        """The section's rows of the profile's document, in one query."""
        return [self.row(link) for link in self.ordered_links(profile)]

    def links_of(self, ids):
        """The links of these profiles (ids), each profile's in the order
        ordered_links() gives them, in one query."""
        related = [self.item_field, *(f"{self.item_field}__{r}" for r in self.item_related)]
        if self.requirement == "level":
            related.append("level")
        return list(
            self.link_model.objects.filter(profile__in=ids)
            .select_related(*related)
            .order_by("profile", "position", "id")
        )

    def document_rows_of(self, ids):
        """document_rows() of many profiles, {id: rows}, in one query."""
        rows = {pk: [] for pk in ids}
        for link in self.links_of(ids):
            rows[link.profile_id].append(self.row(link))
        return rows

    def row(self, link):
        raise NotImplementedError

    def item_key(self, row):
        """What makes a row's catalogue item the same item (a profile lists
        each item once)."""
        return (row["title"], row["details"])

    def match_key(self, row):
        """What a comparison matches a row by, so that a changed text or
        depth is one changed item rather than one removed and one added."""
        return row["title"]

    def name(self, row):
        return row["title"]

    def describe(self, row):
        """What the profile asks of the item, in words."""
        return ""

    def rank(self, row):
        """How much the profile asks of the item, to say which of two asks more."""
        return 0

    # What else of a row a comparison names when it changed.
    compared_parts: tuple = ("details",)
    # The row's texts a search finds the profile by.
    searched_keys: tuple = ("title", "details")

    @property
    def search_lookups(self):
        """Where each of searched_keys is stored, from a link (the search
        text is rebuilt in SQL from these: profiles/search.py)."""
        return tuple(f"{self.item_field}__{key}" for key in self.searched_keys)

    requirement_word: str = ""


@dataclass(frozen=True)
class TitledSection(Section):
    """Items of a title and details: work activities, training, PDAs."""

    def row(self, link):
        item = self.item_of(link)
        return {"title": item.title, "details": item.details}

    def new_item(self, row):
        """The catalogue item a row describes (unsaved; imports reuse the
        stored one with the same text)."""
        return self.item_model(title=row["title"], details=row["details"])


@dataclass(frozen=True)
class KnowledgeSection(TitledSection):
    requirement_word: str = "depth"
    compared_parts: tuple = ("details", "type")

    def row(self, link):
        item = link.item
        return {
            "title": item.title,
            "depth": link.depth or None,
            "details": item.details,
            "type": item.kind,
        }

    def new_item(self, row):
        return KnowledgeItem(title=row["title"], details=row["details"], kind=row["type"])

    def item_key(self, row):
        return (row["type"], row["title"], row["details"])

    def describe(self, row):
        return DEPTH_LABELS.get(row["depth"], NO_DEPTH)

    def rank(self, row):
        return Depth.rank(row["depth"]) if row["depth"] else 0


@dataclass(frozen=True)
class QualificationSection(Section):
    requirement_word: str = "awarding body"
    compared_parts: tuple = ()
    searched_keys: tuple = ("title", "awarding_body")

    def row(self, link):
        qualification = link.qualification
        return {"title": qualification.title, "awarding_body": qualification.awarding_body.name}

    search_lookups = ("qualification__title", "qualification__awarding_body__name")

    def item_key(self, row):
        return (row["title"], row["awarding_body"])

    def describe(self, row):
        return row["awarding_body"]


@dataclass(frozen=True)
class OrganisationSkillSection(Section):
    requirement_word: str = "level"
    compared_parts: tuple = ("description", "level_description")
    searched_keys: tuple = ("category", "skill")

    def document_rows(self, profile):
        links = list(self.ordered_links(profile))
        # Each skill's text at its level, in one query for all of them.
        texts = {
            (row.skill_id, row.level_id): row.description
            for row in SkillLevel.objects.filter(
                skill__in=[link.skill_id for link in links],
                level__in={link.level_id for link in links},
            )
        }
        return [self.row(link, texts.get((link.skill_id, link.level_id), "")) for link in links]

    def document_rows_of(self, ids):
        links = self.links_of(ids)
        texts = {
            (row.skill_id, row.level_id): row.description
            for row in SkillLevel.objects.filter(
                skill__in={link.skill_id for link in links},
                level__in={link.level_id for link in links},
            )
        }
        rows = {pk: [] for pk in ids}
        for link in links:
            rows[link.profile_id].append(
                self.row(link, texts.get((link.skill_id, link.level_id), ""))
            )
        return rows

    def row(self, link, level_description=""):
        skill = link.skill
        return {
            "framework": skill.category.framework.name,
            "category": skill.category.name,
            "skill": skill.name,
            "description": skill.description,
            "level": link.level.rank,
            "level_name": link.level.name,
            "level_description": level_description,
        }

    search_lookups = ("skill__category__name", "skill__name")

    @property
    def search_fields(self):
        return ("name", "description", "category__name")

    def item_key(self, row):
        return (row["framework"], row["category"], row["skill"])

    match_key = item_key

    def name(self, row):
        return row["skill"]

    def describe(self, row):
        return f"{row['level']} – {row['level_name']}"

    def rank(self, row):
        return row["level"]


SECTIONS = [
    TitledSection(
        "work_activities",
        "work-activities",
        "Work Activities",
        ProfileWorkActivity,
        "activity",
        page_headings=("Work Activities",),
        page_table="Work Activity Components",
        page_columns="Title Details",
        bounded=(("title", WorkActivity, "title"),),
    ),
    KnowledgeSection(
        "knowledge_skills",
        "knowledge",
        "Knowledge/Skills",
        ProfileKnowledge,
        "item",
        page_headings=("Knowledge/Skills",),
        page_table="Knowledge/Skills Components",
        page_columns="Title Depth Details Type",
        requirement="depth",
        bounded=(("title", KnowledgeItem, "title"),),
    ),
    TitledSection(
        "training",
        "training",
        "Training Activities",
        ProfileTraining,
        "training",
        page_headings=("Training Activities", "Training"),
        page_table="Training Components",
        page_columns="Title Details",
        bounded=(("title", Training, "title"),),
    ),
    TitledSection(
        "pdas",
        "pdas",
        "PDAs",
        ProfileDevelopmentActivity,
        "activity",
        page_headings=("PDAs",),
        page_table="PDA Components",
        page_columns="Title Details",
        bounded=(("title", DevelopmentActivity, "title"),),
    ),
    QualificationSection(
        "qualifications",
        "qualifications",
        "Qualifications",
        ProfileQualification,
        "qualification",
        page_headings=("Qualifications",),
        page_table="Qualification Components",
        page_columns="Title Awarding Body",
        item_related=("awarding_body",),
        bounded=(
            ("title", Qualification, "title"),
            ("awarding_body", AwardingBody, "name"),
        ),
    ),
    OrganisationSkillSection(
        "organisation_skills",
        "skills",
        "Organisation Skills",
        ProfileSkill,
        "skill",
        requirement="level",
        item_related=("category__framework",),
        item_order="name",
        bounded=(("category", Category, "name"), ("skill", Skill, "name")),
    ),
]

BY_KEY = {section.key: section for section in SECTIONS}
BY_SLUG = {section.slug: section for section in SECTIONS}
# The sections the published page lays out as tables of components.
PAGE_TABLES = [section for section in SECTIONS if section.page_table]
