"""The shapes of role profiles, their versions, items, imports and audit
trail in the API."""

from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from competency import frameworks
from competency.api.conditional import quoted
from competency.api.schema import ROW_ETAG, constrain, document, ref
from competency.numbers import portable_range
from profiles.api.etags import row_etag
from profiles.documents import SCHEMA_PATH, slug_validator
from profiles.models import ROLE_LEVELS, JobFamily, ProfileVersion, RoleProfile

# The interchange formats' JSON Schemas, components of the OpenAPI document:
# role-profile/1 and framework/1, named here in the order the schema lists them.
ROLE_PROFILE = document("RoleProfileDocument", SCHEMA_PATH)
FRAMEWORK = document("FrameworkDocument", frameworks.SCHEMA_PATH)


@extend_schema_field(ref(ROLE_PROFILE))
class DocumentField(serializers.JSONField):
    """A role-profile/1 document (the schema's RoleProfileDocument)."""


# A row's columns, read as values (a dict per row, no model instance made):
# HR's from the working copy, readers' from the version in force. Both
# with the published version's id and the stored fingerprint of what the
# caller reads, which make the row's ETag (profiles.api.etags.row_etag).
# The list's queryset adds `family_slug`, and HR's `family` and
# `latest_version`, readers' `version_number`.
HR_COLUMNS = [
    "slug",
    "title",
    "status",
    "role_level",
    "summary",
    "updated_at",
    "published_version_id",
    "working_fingerprint",
]
READER_COLUMNS = [
    "slug",
    "status",
    "published_version_id",
    "published_fingerprint",
    "published_title",
    "published_family",
    "published_role_level",
    "published_summary",
    "updated_at",
]
# The profile URL is reversed once per page, each row's slug put in its place.
SLUG_MARK = "profile-slug-mark"


class ProfileSummarySerializer(serializers.Serializer):
    """A row of the list: HR see the working copy, everyone else the
    version in force (its title, family and summary, never a draft's)."""

    # (A comment: the docstring is the schema's description.) The list
    # serializes rows of values (HR_COLUMNS or READER_COLUMNS and the list's
    # annotations): 100 rows cost what the JSON needs, no model instance and
    # no field object per row. The fields below describe the row for the
    # schema; to_representation writes it.

    slug = serializers.SlugField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=RoleProfile.Status.choices)
    job_family = serializers.SlugField(
        allow_null=True,
        help_text="The job family's slug, as a profile is written and the list filtered by it.",
    )
    job_family_name = serializers.CharField(allow_null=True, help_text="Read only.")
    role_level = serializers.CharField(allow_null=True)
    summary = serializers.CharField()
    version = serializers.IntegerField(
        allow_null=True,
        help_text="Readers: the version in force. HR: the latest published version.",
    )
    updated_at = serializers.DateTimeField(
        help_text="When the profile last changed (its working copy, status or version in "
        "force): what `updated_since` compares."
    )
    url = serializers.URLField()
    etag = serializers.CharField(help_text=ROW_ETAG)

    @cached_property
    def _page(self):
        """What every row of the page shares, read from the context once
        (not three walks to the root per row): the profile URL, whose
        rows, HR's fingerprints, and a DateTimeField bound to the current
        time zone (a field left to find it asks asgiref's Local per row)."""
        context = self.context
        when = serializers.DateTimeField(default_timezone=timezone.get_current_timezone())
        return context["profile_url"], context["reader"], context.get("fingerprints"), when

    def to_representation(self, row):
        profile_url, reader, fingerprints, when = self._page
        url = profile_url.replace(SLUG_MARK, row["slug"])
        if reader:
            return {
                "slug": row["slug"],
                "title": row["published_title"],
                "status": row["status"],
                "job_family": row["family_slug"],
                "job_family_name": row["published_family"] or None,
                "role_level": row["published_role_level"] or None,
                "summary": row["published_summary"],
                "version": row["version_number"],
                "updated_at": when.to_representation(row["updated_at"]),
                "url": url,
                "etag": quoted(row_etag(row, row["published_fingerprint"])),
            }
        return {
            "slug": row["slug"],
            "title": row["title"],
            "status": row["status"],
            "job_family": row["family_slug"],
            "job_family_name": row["family"],
            "role_level": row["role_level"] or None,
            "summary": row["summary"],
            "version": row["latest_version"],
            "updated_at": when.to_representation(row["updated_at"]),
            "url": url,
            "etag": quoted(row_etag(row, fingerprints[row["id"]])),
        }


class ProfileSerializer(serializers.Serializer):
    """A profile as this person reads it, with its document."""

    slug = serializers.SlugField()
    status = serializers.ChoiceField(choices=RoleProfile.Status.choices)
    version_in_force = serializers.IntegerField(allow_null=True)
    working_copy = serializers.BooleanField(
        help_text="True when the document is HR's working copy, false for the version in force."
    )
    document = DocumentField()


def profile_body(profile, document, version):
    return {
        "slug": profile.slug,
        "status": profile.status,
        "version_in_force": profile.published_version.number
        if profile.published_version_id
        else None,
        "working_copy": version is None,
        "document": document,
    }


# A character str.strip() keeps, in a pattern that reads the same in Python
# and in JSON Schema's (ECMAScript's) regular expressions: their \s differ
# on U+001C-U+001F and U+0085 (Python's only) and U+FEFF (ECMAScript's only).
NOT_SPACE = r"[^\s\u001c-\u001f\u0085]|\ufeff"


class TextList(serializers.ListField):
    # Each item is trimmed, and one of spaces only is refused: the pattern
    # says so in the schema, where minLength alone let such an item look valid.
    child = serializers.CharField(max_length=5000, validators=[RegexValidator(NOT_SPACE)])


class JobFamilyField(serializers.SlugRelatedField):
    """A job family's slug, or null for none. DRF reads "" as null for a
    related field; here it is refused, as the schema's minLength says."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=JobFamily.objects.all(), **kwargs)

    def run_validation(self, data=serializers.empty):
        if data == "":
            raise serializers.ValidationError("Give a job family's slug, or null for none.")
        return super().run_validation(data)


class ProfileCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    # As role-profile/1 says (a SlugField let "Data_Engineer" in, whose
    # document then broke its own schema; found by schemathesis).
    slug = serializers.RegexField(
        slug_validator().regex.pattern,
        max_length=200,
        error_messages={"invalid": slug_validator().message},
    )
    job_family = JobFamilyField(required=False, allow_null=True)
    role_level = serializers.ChoiceField(
        choices=ROLE_LEVELS, required=False, allow_blank=True, default=""
    )
    variant = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ProfileUpdateSerializer(serializers.Serializer):
    """The draft's own texts (drafts.PROFILE_FIELDS); items have their own
    calls."""

    title = serializers.CharField(max_length=200)
    job_family = JobFamilyField(allow_null=True)
    role_level = serializers.ChoiceField(choices=ROLE_LEVELS, allow_blank=True)
    variant = serializers.CharField(max_length=100, allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    responsibilities = TextList()
    background = TextList()
    prior_knowledge = TextList()
    source = serializers.CharField(allow_blank=True)


class PublishSerializer(serializers.Serializer):
    change_note = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="What changed, for readers.",
    )


class NewDraftSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Start from this published version's content (default: as it is now).",
    )


class ImportPreviewSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    slug = serializers.SlugField()
    title = serializers.CharField()
    statement = serializers.CharField(help_text="What importing would do, in plain words.")
    summary = serializers.CharField()
    confirmed = serializers.CharField(
        help_text="Send back as ?confirmed= to import only if the profile is still as "
        "previewed ('' when it did not exist)."
    )
    unpublished = serializers.BooleanField()
    was_draft = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())
    shared_texts = serializers.ListField(child=serializers.CharField())
    document = DocumentField()


class ImportResultSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    slug = serializers.SlugField()
    version = serializers.IntegerField(
        allow_null=True, help_text="Published as, with ?publish=true."
    )
    summary = serializers.CharField()
    url = serializers.URLField()


class AuditChangeSerializer(serializers.Serializer):
    """One field a change changed, with its value before and after."""

    field = serializers.CharField(help_text="The field's name, as the page shows it.")
    before = serializers.CharField(
        allow_blank=True,
        help_text="Its value before, as people read it (a list one item a line; '' for none).",
    )
    after = serializers.CharField(allow_blank=True, help_text="Its value after, the same way.")


class AuditEntrySerializer(serializers.Serializer):
    """One change in a profile's audit trail, as HR's page lists it."""

    when = serializers.DateTimeField()
    who = serializers.CharField(
        allow_null=True, help_text="The username of who made it; null for a command's import."
    )
    type = serializers.ChoiceField(choices=["Created", "Changed", "Deleted"])
    what = serializers.CharField(
        help_text="'Profile', or the section and the item a link names (as it is now)."
    )
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="The fields a change changed (empty otherwise)."
    )
    changes = AuditChangeSerializer(
        many=True,
        help_text="The fields a change changed with their values before and after (empty "
        "otherwise).",
    )

    def to_representation(self, entry):
        return {
            "when": serializers.DateTimeField().to_representation(entry["when"]),
            "who": entry["who"].get_username() if entry["who"] is not None else None,
            "type": entry["type"],
            "what": entry["what"],
            "changed": entry["changed"],
            "changes": entry["changes"],
        }


class AuditPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next (older) page, or null.")
    results = AuditEntrySerializer(many=True)


class VersionSerializer(serializers.ModelSerializer):
    in_force = serializers.BooleanField()
    url = serializers.SerializerMethodField()
    etag = serializers.SerializerMethodField(help_text=ROW_ETAG)

    class Meta:
        model = ProfileVersion
        fields = ["number", "published_at", "change_note", "in_force", "url", "etag"]
        # The same limits whichever database serves (SQLite's would be 2**63).
        extra_kwargs = {"number": portable_range(ProfileVersion, "number")}

    def get_etag(self, version) -> str:
        # profiles.api.versions: a frozen version's ETag is its id's.
        return f'"version-{version.pk}"'

    def get_url(self, version) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:profile-version-detail", args=[version.profile.slug, version.number])
        )


class ItemSerializer(serializers.Serializer):
    """An item of a section of the working copy, by its link's id."""

    id = serializers.IntegerField(help_text="The link's id, for PATCH and DELETE.")
    position = serializers.IntegerField(help_text="From 1.")
    item = serializers.IntegerField(help_text="The catalogue item's id.")
    title = serializers.CharField()
    depth = serializers.CharField(required=False, help_text="Knowledge items only.")
    level = serializers.IntegerField(required=False, help_text="Skills only: the level's id.")

    def to_representation(self, link):
        section = self.context["section"]
        item = section.item_of(link)
        row = {"id": link.pk, "position": link.position + 1, "item": item.pk, "title": str(item)}
        if section.requirement == "depth":
            row["depth"] = link.depth
        elif section.requirement == "level":
            row["level"] = link.level_id
        return row


class ItemAddSerializer(serializers.Serializer):
    body_required = True  # no field is required alone: one of item and title is
    item = serializers.IntegerField(
        required=False, help_text="A catalogue item's id; or give `title` for a new one."
    )
    title = serializers.CharField(required=False, max_length=255)
    details = serializers.CharField(required=False, allow_blank=True, default="")
    type = serializers.CharField(required=False, allow_blank=True, default="")
    awarding_body = serializers.CharField(required=False, allow_blank=True, default="")
    depth = serializers.CharField(required=False, allow_blank=True, default="")
    level = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, data):
        if ("item" in data) == ("title" in data):
            raise serializers.ValidationError("Give either `item` or `title`.")
        return data


# `item` or `title`, not both: said with `not`, which a client generator
# passes over (a `oneOf` here made openapi-python-client give up the body's
# type), while validators and schemathesis read it.
constrain(
    "ItemAddRequest",
    description="Give `item` (a catalogue item's id) or `title` (a new item), not both. "
    "A skill needs `level`; a knowledge item may have a `depth`.",
    **{
        "not": {
            "anyOf": [
                {"required": ["item", "title"]},
                {"not": {"anyOf": [{"required": ["item"]}, {"required": ["title"]}]}},
            ]
        }
    },
)


class ItemChangeSerializer(serializers.Serializer):
    depth = serializers.CharField(required=False, allow_blank=True)
    level = serializers.IntegerField(required=False)
    position = serializers.IntegerField(required=False, min_value=1, help_text="From 1.")
