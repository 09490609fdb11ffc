"""Shapes of a project's usage in a year: the numbers of the usage page."""

from rest_framework import serializers


class MonthUseSerializer(serializers.Serializer):
    """Use of a resource in one month (the resource's unit)."""

    month = serializers.DateField()
    used = serializers.FloatField()
    cumulative = serializers.FloatField()
    percent = serializers.FloatField(allow_null=True)


class ResourceUseSerializer(serializers.Serializer):
    """Use of one resource (``null`` for partitions no resource maps to) in the year."""

    resource = serializers.IntegerField(source="resource.pk", allow_null=True, default=None)
    label = serializers.CharField()
    kind = serializers.CharField()
    unit = serializers.CharField()
    granted = serializers.FloatField(allow_null=True)
    used = serializers.FloatField()
    percent = serializers.FloatField(allow_null=True)
    partitions = serializers.ListField(child=serializers.CharField())
    months = MonthUseSerializer(many=True)


class UserUseSerializer(serializers.Serializer):
    """Use of one cluster login in the year."""

    user = serializers.CharField()
    jobs = serializers.IntegerField()
    core_hours = serializers.FloatField()
    gpu_hours = serializers.FloatField()
    energy_kwh_measured = serializers.FloatField()
    energy_kwh_estimated = serializers.FloatField()
    share = serializers.FloatField(allow_null=True)


class TotalsSerializer(serializers.Serializer):
    """Sums of the year: jobs, core-hours, GPU-hours, kWh."""

    jobs = serializers.IntegerField()
    core_hours = serializers.FloatField()
    gpu_hours = serializers.FloatField()
    energy_kwh = serializers.FloatField()
    mean_wait_hours = serializers.FloatField(allow_null=True)


class EnergySerializer(serializers.Serializer):
    """Energy (kWh), CO2e (kg), cost (EUR) and reusable heat (kWh) of the year's jobs
    (Green Algorithms; the constants are the portal's settings)."""

    measured_kwh = serializers.DecimalField(max_digits=20, decimal_places=6)
    estimated_kwh = serializers.DecimalField(max_digits=20, decimal_places=6)
    total_kwh = serializers.DecimalField(max_digits=20, decimal_places=6)
    co2e_kg = serializers.DecimalField(max_digits=20, decimal_places=6)
    cost_eur = serializers.DecimalField(max_digits=20, decimal_places=6)
    heat_kwh = serializers.DecimalField(max_digits=20, decimal_places=6)


class ProjectUsageSerializer(serializers.Serializer):
    """A project's usage in a year, as its usage page shows it."""

    project = serializers.IntegerField(source="project.pk")
    year = serializers.IntegerField()
    years = serializers.ListField(child=serializers.IntegerField())
    accounts = serializers.ListField(child=serializers.CharField())
    resources = ResourceUseSerializer(many=True)
    users = UserUseSerializer(many=True)
    totals = TotalsSerializer()
    energy = EnergySerializer()
    success_percent = serializers.FloatField(allow_null=True)
