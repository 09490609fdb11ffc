"""Shapes of the public catalogue, the public statistics, and the yearly reports."""

from rest_framework import serializers

from projects.models import UsageReport
from resources.models import Resource


class ResourceSerializer(serializers.ModelSerializer):
    """A resource of the public catalogue (capacity in its unit a year)."""

    class Meta:
        model = Resource
        fields = ["id", "name", "kind", "description_fr", "description_en", "capacity_per_year",
                  "is_active", "order"]
        read_only_fields = fields


class YearFiguresSerializer(serializers.Serializer):
    """The centre's figures of one year: jobs, core-hours, GPU-hours, kWh, kg CO2e and
    the number of projects with usage."""

    year = serializers.IntegerField()
    projects = serializers.IntegerField()
    jobs = serializers.IntegerField(source="totals.jobs")
    core_hours = serializers.FloatField(source="totals.core_hours")
    gpu_hours = serializers.FloatField(source="totals.gpu_hours")
    energy_kwh = serializers.DecimalField(source="energy.total_kwh", max_digits=20,
                                          decimal_places=6)
    co2e_kg = serializers.DecimalField(source="energy.co2e_kg", max_digits=20,
                                       decimal_places=6)


class KindFiguresSerializer(serializers.Serializer):
    """Organisations of one kind, and those in good standing this year."""

    kind = serializers.CharField()
    organisations = serializers.IntegerField()
    members = serializers.IntegerField()


class PublicStatisticsSerializer(serializers.Serializer):
    """The figures of the public statistics page."""

    year = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    people = serializers.IntegerField()
    organisations = serializers.IntegerField()
    members = serializers.IntegerField()
    by_kind = KindFiguresSerializer(many=True)
    active_projects = serializers.IntegerField()
    this_year = YearFiguresSerializer()
    last_year = YearFiguresSerializer()


class UsageReportSerializer(serializers.ModelSerializer):
    """A yearly usage report; ``files`` lists the keys to download (``pdf-fr``, …)."""

    files = serializers.SerializerMethodField()

    class Meta:
        model = UsageReport
        fields = ["id", "scope", "project", "year", "status", "progress", "generated_at",
                  "requested_at", "files"]
        read_only_fields = fields

    def get_files(self, report) -> list[str]:
        return sorted((report.files or {}).keys())
