"""Shapes of the staff's endpoints: payments, agreement decisions, accounting imports."""

from rest_framework import serializers

from resources.models import AccountingImport


class PaymentInSerializer(serializers.Serializer):
    """A membership payment (checked by the page's ``PaymentForm``)."""

    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)


class NoteInSerializer(serializers.Serializer):
    """An optional note (an agreement's approval)."""

    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CountersignInSerializer(serializers.Serializer):
    """The first day of validity of a countersigned agreement (default today)."""

    starts_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReasonInSerializer(serializers.Serializer):
    """The reason of an allocation's suspension (told to the PI and managers)."""

    reason = serializers.CharField(max_length=2000)


class AccountingImportSerializer(serializers.ModelSerializer):
    """An accounting import and where it stands."""

    class Meta:
        model = AccountingImport
        fields = ["id", "cluster", "format", "source", "file_name", "size_bytes", "status",
                  "lines_read", "jobs_added", "duplicates_skipped", "error_count", "failure",
                  "created_at", "started_at", "finished_at"]
        read_only_fields = fields
