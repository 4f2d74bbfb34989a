from django import forms
from django.core import validators as django_validators
from django.utils.text import slugify

from competency.models import AwardingBody, Depth, KnowledgeItem
from profiles.documents import slug_validator
from profiles.models import ROLE_LEVELS, JobFamily, ProfileVersion, RoleProfile
from profiles.sections import NO_DEPTH, max_length

TITLE_LENGTH = max_length(RoleProfile, "title")
VARIANT_LENGTH = max_length(RoleProfile, "variant")


class LinesField(forms.CharField):
    """A list of texts typed one per line (or, with paragraphs=True, one
    per paragraph, separated by a blank line)."""

    def __init__(self, *, paragraphs=False, **kwargs):
        self.paragraphs = paragraphs
        kwargs.setdefault("required", False)
        super().__init__(widget=forms.Textarea, strip=False, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ("\n\n" if self.paragraphs else "\n").join(value)
        return value

    def to_python(self, value):
        text = (value or "").replace("\r\n", "\n")
        if self.paragraphs:
            parts = [" ".join(part.split("\n")).strip() for part in text.split("\n\n")]
        else:
            parts = [line.strip() for line in text.split("\n")]
        return [part for part in parts if part]


ROLE_LEVEL_CHOICES = [
    ("", "None (the level between Junior and Senior)"),
    *((level, level) for level in ROLE_LEVELS),
]


class ProfileForm(forms.Form):
    """The profile's own texts; its items are edited row by row."""

    title = forms.CharField(
        max_length=TITLE_LENGTH,
        error_messages={
            "required": "Enter a title",
            "max_length": f"Title must be {TITLE_LENGTH} characters or fewer",
        },
    )
    job_family = forms.ModelChoiceField(
        queryset=JobFamily.objects.all(), required=False, empty_label="No job family"
    )
    role_level = forms.ChoiceField(choices=ROLE_LEVEL_CHOICES, required=False)
    variant = forms.CharField(
        max_length=VARIANT_LENGTH, required=False, help_text="For example, Management or Technical"
    )
    summary = forms.CharField(widget=forms.Textarea, error_messages={"required": "Enter a summary"})
    responsibilities = LinesField(
        label="At this role level, you will", help_text="One responsibility per line"
    )
    background = LinesField(paragraphs=True, help_text="Separate paragraphs with an empty line")
    prior_knowledge = LinesField(label="Prior knowledge and skills", help_text="One per line")
    source = forms.CharField(
        label="Credit line",
        widget=forms.Textarea,
        required=False,
        help_text="Attribution carried from the source of the profile",
    )
    base = forms.CharField(widget=forms.HiddenInput)

    def values(self):
        data = self.cleaned_data
        return {
            "title": data["title"],
            "job_family": data["job_family"].pk if data["job_family"] else None,
            "role_level": data["role_level"],
            "variant": data["variant"],
            "summary": data["summary"],
            "responsibilities": data["responsibilities"],
            "background": data["background"],
            "prior_knowledge": data["prior_knowledge"],
            "source": data["source"],
        }


class CreateProfileForm(forms.Form):
    title = forms.CharField(max_length=TITLE_LENGTH, error_messages={"required": "Enter a title"})
    slug = forms.SlugField(
        label="URL name",
        max_length=max_length(RoleProfile, "slug"),
        required=False,
        help_text="Lower-case letters, digits and hyphens. Leave empty to make one from the title.",
        validators=[slug_validator()],
    )
    job_family = forms.ModelChoiceField(
        queryset=JobFamily.objects.all(), required=False, empty_label="No job family"
    )
    role_level = forms.ChoiceField(choices=ROLE_LEVEL_CHOICES, required=False)
    variant = forms.CharField(max_length=VARIANT_LENGTH, required=False)

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("slug"):
            data["slug"] = slugify(data["title"])
            if not data["slug"]:
                self.add_error("slug", "Enter a URL name: the title has no letters a–z")
        return data


DEPTH_CHOICES = [("", NO_DEPTH), *Depth.choices]


class NewItemForm(forms.Form):
    """A new catalogue item, added to the profile at once. Its fields are
    the section's: a knowledge item has a type and a depth, a qualification
    an awarding body instead of details."""

    title = forms.CharField(error_messages={"required": "Enter a title"})
    details = forms.CharField(widget=forms.Textarea, required=False)
    item_type = forms.ChoiceField(label="Type", choices=KnowledgeItem.Kind.choices, required=False)
    depth = forms.ChoiceField(choices=DEPTH_CHOICES, required=False)
    awarding_body = forms.CharField(
        label="Awarding body", max_length=max_length(AwardingBody, "name"), required=False
    )

    def __init__(self, *args, section, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        limit = section.limits().get("title")
        if limit:
            self.fields["title"].max_length = limit
            self.fields["title"].validators.append(django_validators.MaxLengthValidator(limit))
        if section.requirement != "depth":
            del self.fields["item_type"]
            del self.fields["depth"]
        if section.key == "qualifications":
            del self.fields["details"]
            self.fields["awarding_body"].required = True
            self.fields["awarding_body"].error_messages["required"] = "Enter the awarding body"
        else:
            del self.fields["awarding_body"]


class PublishForm(forms.Form):
    """What the publisher confirms: the fingerprint of the draft they read,
    and a note of what changed, which readers see with the version."""

    change_note = forms.CharField(
        label="What changed in this version",
        help_text="One or two sentences that readers will see, for example "
        "‘Adds incident management at level 3; drops the ITIL qualification.’",
        widget=forms.Textarea,
        max_length=ProfileVersion._meta.get_field("change_note").max_length,
        error_messages={
            "required": "Say in a sentence or two what changed in this version",
            "max_length": "Keep the note to %(limit_value)d characters or fewer",
        },
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
