"""Shapes of projects, their people (and what a lead sends to add one or change a role),
allocations and the extensions of their end dates."""

from rest_framework import serializers

from projects.models import (
    Allocation,
    AllocationExtension,
    Project,
    ProjectInvitation,
    ProjectMember,
)
from projects.models.projects import Field

from .members import PersonSerializer

Role = ProjectMember.Role


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
    """A person's role in a project (``id``: the member's, for ``…/members/{id}/``) and
    when they joined it (``added_at``)."""

    user = PersonSerializer(read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["id", "user", "role", "added_at"]
        read_only_fields = fields


#: The roles a person is added with (the role of PI is handed over, not given); named
#: ``ProjectMemberAddRoleEnum`` in the schema (``ENUM_NAME_OVERRIDES``).
ADD_ROLE_CHOICES = [(Role.MEMBER, Role.MEMBER.label), (Role.MANAGER, Role.MANAGER.label)]


class ProjectMemberAddSerializer(serializers.Serializer):
    """What a PI or manager sends to add someone: their email address and their role
    (``member`` by default, or ``manager``; the role of PI is handed over by a change of
    role). Checked again by the page's ``ProjectMemberAddForm``."""

    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=ADD_ROLE_CHOICES, required=False,
                                   default=Role.MEMBER)


class ProjectMemberRoleSerializer(serializers.Serializer):
    """A new role for a person of the project. Only the PI makes someone ``pi`` (and
    becomes a manager); the PI's own role changes only by handing it over."""

    role = serializers.ChoiceField(choices=Role.choices)


class ProjectInvitationSerializer(serializers.ModelSerializer):
    """An invitation by email to join a project, sent to an address without an account
    (single use, valid until ``expires_at``)."""

    class Meta:
        model = ProjectInvitation
        fields = ["id", "email", "role", "created_at", "expires_at"]
        read_only_fields = fields


class ProjectMemberAddedSerializer(serializers.Serializer):
    """The outcome of adding someone: ``added`` (they had an account: ``member``) or
    ``invited`` (they had none: ``invitation``, an email was sent), the other ``null``."""

    outcome = serializers.ChoiceField(choices=["added", "invited"])
    member = ProjectMemberSerializer(allow_null=True)
    invitation = ProjectInvitationSerializer(allow_null=True)


class AllocationSerializer(serializers.ModelSerializer):
    """A grant of a resource to a project for a year (amount in the resource's unit)."""

    resource_name = serializers.CharField(source="resource.name", read_only=True)
    project_acronym = serializers.CharField(source="project.acronym", read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "project", "project_acronym", "resource", "resource_name", "year",
                  "amount", "starts_on", "ends_on", "status", "suspended_reason"]
        read_only_fields = fields


class AllocationExtensionSerializer(serializers.ModelSerializer):
    """A request to move an allocation's end date from ``previous_ends_on`` to
    ``ends_on`` (no new hours), with its reason: ``pending`` until staff approve or
    refuse it (``decision_note``) or the PI or a manager withdraws it; ``decided_at``
    is when that happened."""

    project = serializers.IntegerField(source="allocation.project_id", read_only=True)
    resource_name = serializers.CharField(source="allocation.resource.name", read_only=True)
    year = serializers.IntegerField(source="allocation.year", read_only=True)

    class Meta:
        model = AllocationExtension
        fields = ["id", "allocation", "project", "resource_name", "year", "previous_ends_on",
                  "ends_on", "reason", "status", "created_at", "decided_at", "decision_note"]
        read_only_fields = fields


class AllocationExtensionAskSerializer(serializers.Serializer):
    """What the PI or a manager sends to ask for an extension: the ``allocation`` (of the
    project in the path), the new end date ``ends_on`` (after the current one, a year
    later at most) and the ``reason``. Checked again by the page's ``ExtensionForm`` and
    the service (their messages come back in ``fields``)."""

    allocation = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    ends_on = serializers.DateField()
    reason = serializers.CharField(max_length=4000)


class ExtensionDecisionInSerializer(serializers.Serializer):
    """A staff decision on an extension: the note to the PI and managers (optional to
    approve, required to refuse). Checked by the staff page's ``ExtensionDecisionForm``."""

    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
