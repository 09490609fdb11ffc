"""Shapes of resource requests: the request, its table (rows of cells per year), and
what a caller sends to start, edit or decide one."""

from rest_framework import serializers

from projects.models import ResourceRequest

#: Largest id a caller may name (a 64-bit database key).
MAX_ID = 2**63 - 1


class CellSerializer(serializers.Serializer):
    """One year of a row: ``requested`` (and ``granted`` once decided), in the
    resource's unit."""

    year = serializers.IntegerField()
    requested = serializers.DecimalField(max_digits=14, decimal_places=2)
    granted = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class RowSerializer(serializers.Serializer):
    """One resource of the request's table."""

    resource = serializers.IntegerField(source="resource_id")
    resource_name = serializers.CharField(source="resource.name")
    justification = serializers.CharField()
    cells = CellSerializer(many=True, source="cells.all")


class ResourceRequestSerializer(serializers.ModelSerializer):
    """A resource request with its table."""

    rows = RowSerializer(many=True, source="rows.all", read_only=True)
    project_acronym = serializers.CharField(source="project.acronym", read_only=True)

    class Meta:
        model = ResourceRequest
        fields = ["id", "project", "project_acronym", "kind", "status", "justification",
                  "decision_note", "emergency_ends_on", "version", "created_at", "updated_at",
                  "submitted_at", "decided_at", "rows"]
        read_only_fields = fields


class AmountInSerializer(serializers.Serializer):
    """An amount asked for (or granted) for one year: a decimal number as text or number
    (``"1500"``, ``"2.5"``); the page's rules apply (``parse_amount``)."""

    year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = serializers.CharField(max_length=100, allow_blank=True)


class RowInSerializer(serializers.Serializer):
    """One resource's amounts per year and its justification."""

    resource = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    justification = serializers.CharField(required=False, allow_blank=True, default="",
                                          max_length=4000)
    amounts = AmountInSerializer(many=True, max_length=20)


class RequestTableInSerializer(serializers.Serializer):
    """The table of a request: the overall justification and the rows. Checked by the
    page's ``RequestTableForm`` (cells of years outside the project or of resources
    not in the catalogue are refused with their reason)."""

    justification = serializers.CharField(required=False, allow_blank=True, default="")
    rows = RowInSerializer(many=True, required=False, default=list, max_length=200)


class RequestCreateInSerializer(RequestTableInSerializer):
    """A new draft request: its kind and its table."""

    kind = serializers.ChoiceField(choices=ResourceRequest.Kind.choices,
                                   default=ResourceRequest.Kind.NEW)


class DecisionInSerializer(serializers.Serializer):
    """A staff decision granting a request (checked by the page's ``DecisionForm``):
    the granted amounts per resource and year, the note, the version seen; for an
    emergency, its end and the access override with its reason."""

    granted = RowInSerializer(many=True, max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    emergency_ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    access_override = serializers.BooleanField(required=False, default=False)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class NoteVersionInSerializer(serializers.Serializer):
    """A staff rejection or return for changes: the note and the version seen."""

    note = serializers.CharField(max_length=4000)
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
