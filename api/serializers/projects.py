"""Shapes of projects, their people and allocations."""

from rest_framework import serializers

from projects.models import Allocation, Project, ProjectMember
from projects.models.projects import Field

from .members import PersonSerializer


class ProjectSerializer(serializers.ModelSerializer):
    """A project sheet, with the caller's role (``null`` for staff who are not in it)."""

    my_role = serializers.CharField(read_only=True, allow_null=True, default=None)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    dmp_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = Project
        fields = ["id", "acronym", "title", "summary", "summary_is_public", "field",
                  "organisation", "organisation_name", "starts_on", "ends_on", "dmp_url",
                  "open_science_statement", "slurm_account", "status", "created_at",
                  "updated_at", "my_role"]
        read_only_fields = fields


class ProjectWriteSerializer(serializers.Serializer):
    """What a caller sends to create or edit a project; checked again by the page's
    ``ProjectForm`` (its messages come back in ``fields``). ``organisation`` only on
    creation. ``slurm_account``: empty to let the portal choose (creation)."""

    organisation = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    title = serializers.CharField(max_length=200)
    acronym = serializers.CharField(max_length=30)
    summary = serializers.CharField(max_length=4000)
    summary_is_public = serializers.BooleanField(required=False, default=False)
    field = serializers.ChoiceField(choices=Field.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    dmp_url = serializers.URLField(required=False, allow_blank=True, default="")
    open_science_statement = serializers.CharField(required=False, allow_blank=True,
                                                   default="", max_length=4000)
    slurm_account = serializers.CharField(required=False, allow_blank=True, default="",
                                          max_length=30)


class ProjectMemberSerializer(serializers.ModelSerializer):
    """A person's role in a project."""

    user = PersonSerializer(read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["id", "user", "role", "added_at"]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    """A grant of a resource to a project for a year (amount in the resource's unit)."""

    resource_name = serializers.CharField(source="resource.name", read_only=True)
    project_acronym = serializers.CharField(source="project.acronym", read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "project", "project_acronym", "resource", "resource_name", "year",
                  "amount", "starts_on", "ends_on", "status", "suspended_reason"]
        read_only_fields = fields
