"""The people import over the API: the table as a CSV or XLSX body or a
form's file, its problems at their rows and columns, and the plan the
importer (appraisals/importing.py, as the import page) makes of it."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from appraisals import importing
from appraisals.api.person_serializers import PersonRefSerializer
from competency.api.parsers import FileBody, MultiPartParser
from competency.api.problems import FileRefused
from competency.api.query import once
from competency.api.schema import file_body
from profiles.uploads import MAX_REQUEST, MAX_UPLOAD


class TableBody(FileBody):
    """A people table kept as bytes for the people importer, which names
    each problem's row and column."""

    media_type = "text/csv"
    name = "people.csv"
    limit = MAX_UPLOAD


class XlsxBody(TableBody):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = "people.xlsx"


class TableForm(MultiPartParser):
    """The table as a form's `file`, with room for the form around it."""

    largest_body = MAX_REQUEST


IMPORT_PARSERS = [TableBody, XlsxBody, TableForm]
IMPORT_BODY = {
    "text/csv": file_body(
        MAX_UPLOAD,
        "The table, UTF-8, header first: "
        + ", ".join([*importing.COLUMNS, *importing.OPTIONAL])
        + ".",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": file_body(
        MAX_UPLOAD, "The table as a workbook, header first."
    ),
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    },
}
CSV_EXAMPLE = (
    "employee id,name,email,manager's employee id,profile slug,job title,start date,"
    "probation end date\nE1,Bea Head,bea@example.org,,,Head of engineering,2020-01-06,\n"
    "E2,Mo Manager,mo@example.org,E1,platform-engineer,Engineering manager,2021-03-01,\n"
)


IMPORT_MODE = OpenApiParameter(
    "mode",
    OpenApiTypes.STR,
    enum=importing.Mode.values,
    required=True,
    description="What the file is, always given: `whole_organisation` (everyone; whoever is "
    "not in it is marked as having left today) or `add_and_update` (some people; nobody is "
    "marked as left, and a line manager may be someone already here).",
)


def import_mode(request):
    """The `mode` asked for, or 400 naming it: there is no default."""
    mode = once(request, "mode")
    if mode not in importing.Mode.values:
        raise ValidationError(
            {"mode": ["Give whole_organisation or add_and_update: what the file is."]}
        )
    return importing.Mode(mode)


def read_upload(request):
    """(bytes, name) of the table sent: the body itself, or a form's `file`."""
    data = request.data
    if isinstance(data, bytes | bytearray):
        name = next(
            (p.name for p in IMPORT_PARSERS[:2] if request.content_type.startswith(p.media_type)),
            "people.csv",
        )
    else:
        upload = request.FILES.get("file")
        if upload is None:
            raise FileRefused({"file": ["Send the table as the body or as `file`."]})
        name, data = upload.name, upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise FileRefused(
            {"file": [f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB; split it."]}
        )
    return bytes(data), name


class ChangeSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    employee_id = serializers.CharField()
    name = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        help_text="Each changed field: [before, after].",
    )


class NewPersonSerializer(PersonRefSerializer):
    # A preview's new people have no id yet.
    id = serializers.IntegerField(allow_null=True)


class ImportPlanSerializer(serializers.Serializer):
    """What the import would do (a preview) or did."""

    summary = serializers.CharField()
    mode = serializers.ChoiceField(choices=importing.Mode.choices)
    rows = serializers.IntegerField()
    created = NewPersonSerializer(many=True, help_text="New people (id null: not written yet).")
    moved = ChangeSerializer(many=True, help_text="New manager, profile or job title.")
    updated = ChangeSerializer(many=True, help_text="Other changes.")
    leavers = PersonRefSerializer(
        many=True,
        help_text="The whole organisation: people not in the file, marked as left today. "
        "Adding and updating: always empty.",
    )
    unchanged = serializers.IntegerField()
    confirmed = serializers.CharField(
        help_text="Send back as ?confirmed= to import only if nothing changed since the preview."
    )


PLAN_EXAMPLE = OpenApiExample(
    "A preview",
    value={
        "summary": "The whole organisation: 1 to create, 1 to move, 0 with other changes, "
        "0 to mark as leavers, 40 unchanged",
        "mode": "whole_organisation",
        "rows": 42,
        "created": [{"id": None, "employee_id": "E42", "name": "Ada Lovelace"}],
        "moved": [
            {
                "row": 7,
                "employee_id": "E6",
                "name": "Sam Staff",
                "changes": {"manager": ["E2", "E3"]},
            }
        ],
        "updated": [],
        "leavers": [],
        "unchanged": 40,
        "confirmed": "3f1c0a9be2d45c77",
    },
    response_only=True,
)
