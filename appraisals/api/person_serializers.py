"""The serializers of people's bodies: the reference by which every
appraisals endpoint names a person, a row of the people list, a person as
their page shows them, and what HR send to create or change one."""

from django.urls import reverse
from rest_framework import serializers

from appraisals.access import can_read_check_ins
from appraisals.api.bodies import day
from appraisals.api.etags import etag_of
from appraisals.models import Person
from appraisals.people import person_ref
from competency.api.conditional import quoted
from competency.api.schema import ROW_ETAG


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    employee_id = serializers.CharField()


class PersonSummarySerializer(serializers.Serializer):
    """A row of the people list. The line manager and role profile are
    read as they are written (PersonWriteSerializer) and filtered by
    (`?manager=`, `?role_profile=`): by employee id and by slug; their
    names beside them are for reading only."""

    id = serializers.IntegerField()
    employee_id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    job_title = serializers.CharField(allow_blank=True)
    line_manager = serializers.CharField(
        allow_null=True, help_text="The line manager's employee id; null for nobody."
    )
    line_manager_name = serializers.CharField(allow_null=True, help_text="Read only.")
    role_profile = serializers.SlugField(
        allow_null=True, help_text="The role profile's slug; null for none."
    )
    role_profile_title = serializers.CharField(allow_null=True, help_text="Read only.")
    start_date = serializers.DateField(allow_null=True)
    probation_end_date = serializers.DateField(allow_null=True)
    leaving_date = serializers.DateField(
        allow_null=True,
        help_text="A leaver's first day gone (may be ahead); a sync reads it when it is set.",
    )
    updated_at = serializers.DateTimeField(
        help_text="When the person's row last changed: what `updated_since` compares."
    )
    url = serializers.URLField()

    etag = serializers.CharField(help_text=ROW_ETAG)

    def to_representation(self, person):
        row = self.row(person)
        lines = self.context.get("lines")
        if lines is None:
            lines = lines_of([person])
        row["etag"] = quoted(etag_of({**row, **lines[person.pk]}))
        return row

    def row(self, person):
        request = self.context["request"]
        manager = person.line_manager if person.line_manager_id else None
        profile = person.role_profile if person.role_profile_id else None
        return {
            "id": person.pk,
            "employee_id": person.employee_id,
            "name": person.name,
            "email": person.email,
            "job_title": person.job_title,
            "line_manager": manager.employee_id if manager else None,
            "line_manager_name": manager.name if manager else None,
            "role_profile": profile.slug if profile else None,
            "role_profile_title": profile.title if profile else None,
            "start_date": day(person.start_date),
            "probation_end_date": day(person.probation_end_date),
            "leaving_date": day(person.leaving_date),
            "updated_at": self.fields["updated_at"].to_representation(person.updated_at),
            "url": request.build_absolute_uri(reverse("api:person-detail", args=[person.pk])),
        }


def lines_of(people):
    """For each of `people` (by id), what their page shows besides their own
    row: whether they have left, their line up to the top and their direct
    reports. Two queries, however many people: a list row's ETag is made of
    it (it is the ETag a GET of the person gives), and a person's body."""
    ids = [person.pk for person in people]
    above = {p.pk: p for p in Person.objects.managers_above_any(ids)}
    reports = {pk: [] for pk in ids}
    for report in Person.objects.filter(line_manager__in=ids).order_by("name", "employee_id"):
        reports[report.line_manager_id].append(report)
    lines = {}
    for person in people:
        # The person page's walk up the line (bounded: a loop would end it).
        line, at = [], person.line_manager_id
        while at in above and len(line) <= len(above):
            line.append(above[at])
            at = above[at].line_manager_id
        lines[person.pk] = {
            "has_left": person.has_left(),
            "managers_above": [person_ref(p) for p in reversed(line)],
            "reports": [person_ref(p) for p in reports[person.pk]],
        }
    return lines


class PersonLinksSerializer(serializers.Serializer):
    check_ins = serializers.URLField(
        allow_null=True, help_text="Null for those who may not read this person's check-ins."
    )
    probation_checkpoints = serializers.URLField()
    probation_decisions = serializers.URLField()
    readiness = serializers.URLField()


class PersonSerializer(PersonSummarySerializer):
    """A person as their page shows them: their line up to the top, their
    direct reports, and where to find the rest."""

    has_left = serializers.BooleanField()
    managers_above = PersonRefSerializer(
        many=True, help_text="From the top down to the line manager."
    )
    reports = PersonRefSerializer(many=True, help_text="Direct reports, by name.")
    links = PersonLinksSerializer()

    def to_representation(self, person):
        request = self.context["request"]
        row = self.row(person)
        extras = lines_of([person])[person.pk]

        def link(name):
            return request.build_absolute_uri(reverse(f"api:{name}-list", args=[person.pk]))

        return {
            **row,
            **extras,
            "links": {
                "check_ins": link("check-in") if can_read_check_ins(request.user, person) else None,
                "probation_checkpoints": link("probation-checkpoint"),
                "probation_decisions": link("probation-decision"),
                "readiness": link("readiness"),
            },
            "etag": quoted(etag_of({**row, **extras})),
        }


class PersonWriteSerializer(serializers.Serializer):
    """What HR send to create or change a person (the person form's fields)."""

    employee_id = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    line_manager = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=50,
        help_text="The line manager's employee id; empty or null for nobody. A manager who "
        "reports to this person (directly or not) would make a loop: refused.",
    )
    role_profile = serializers.SlugField(
        required=False, allow_blank=True, allow_null=True, help_text="The role profile's slug."
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    probation_end_date = serializers.DateField(required=False, allow_null=True)
    leaving_date = serializers.DateField(required=False, allow_null=True)
