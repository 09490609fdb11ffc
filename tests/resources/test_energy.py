"""The energy model (Green Algorithms) and the estimates of the catalogue, with units."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from resources.energy import (
    MEMORY_WATTS_PER_GB,
    co2e_kg,
    electricity_cost_eur,
    energy_constants,
    energy_kwh,
    reusable_heat_kwh,
)
from resources.models import Resource, ResourceKind, ResourcePrice
from resources.selectors.estimates import energy_per_unit_kwh, estimate, price_table

pytestmark = pytest.mark.django_db

PINNED = {"ENERGY_PUE": 1.67, "ENERGY_CARBON_INTENSITY_G_PER_KWH": 51.28,
          "ENERGY_PRICE_EUR_PER_KWH": 0.2016, "ENERGY_HEAT_RECOVERY_FRACTION": 0.4}


@pytest.fixture(autouse=True)
def pinned_constants():
    with override_settings(**PINNED):
        yield


def cpu(**fields) -> Resource:
    return Resource(name="CPU", kind=ResourceKind.CPU, capacity_per_year=Decimal(1000),
                    watts_per_core=Decimal("10"), memory_gb_per_core=Decimal("4"), **fields)


def gpu() -> Resource:
    return Resource(name="GPU", kind=ResourceKind.GPU, capacity_per_year=Decimal(1000),
                    watts_per_gpu=Decimal("300"))


def test_constants_come_from_settings():
    constants = energy_constants()
    assert constants.pue == Decimal("1.67")
    assert constants.carbon_intensity_g_per_kwh == Decimal("51.28")
    assert constants.electricity_price_eur_per_kwh == Decimal("0.2016")
    assert constants.heat_recovery_fraction == Decimal("0.4")
    assert "Green Algorithms" in constants.carbon_intensity_source
    assert Decimal("0.3725") == MEMORY_WATTS_PER_GB


def test_cpu_estimate_in_kwh_and_kg_co2e():
    """1000 core-hours at 10 W/core and 4 GB/core, PUE 1.67:
    1000 × 1.67 × (10 + 4 × 0.3725) / 1000 = 19.18830 kWh; × 51.28 g/kWh = 0.98398 kg."""
    result = estimate(resource=cpu(), amount=Decimal(1000), price_per_unit=Decimal("0.02"))
    assert result.energy_kwh == Decimal("19.18830")
    assert result.co2e_kg == Decimal("19.1883") * Decimal("51.28") / 1000
    assert result.co2e_kg == Decimal("0.983976024")
    assert result.cost_eur == Decimal("20.00")  # 1000 core-hours × 0.02 EUR


def test_cpu_energy_per_core_hour():
    # 1.67 × (10 W + 4 GB × 0.3725 W/GB) / 1000 = 0.0191883 kWh per core-hour
    assert energy_per_unit_kwh(cpu()) == Decimal("0.0191883")


def test_cpu_without_memory_counts_cores_only():
    resource = cpu()
    resource.memory_gb_per_core = None
    assert estimate(resource=resource, amount=Decimal(1000),
                    price_per_unit=None).energy_kwh == Decimal("16.70")  # 1000 × 1.67 × 10/1000


def test_gpu_estimate():
    """100 GPU-hours at 300 W, PUE 1.67: 100 × 1.67 × 300 / 1000 = 50.1 kWh."""
    result = estimate(resource=gpu(), amount=Decimal(100), price_per_unit=Decimal("1.5"))
    assert result.energy_kwh == Decimal("50.1")
    assert result.co2e_kg == Decimal("50.1") * Decimal("51.28") / 1000  # 2.569128 kg
    assert result.cost_eur == Decimal("150.0")


@pytest.mark.parametrize("kind", [ResourceKind.DISK, ResourceKind.TAPE, ResourceKind.DATABASE,
                                  ResourceKind.VM])
def test_storage_and_vms_are_not_estimated(kind):
    resource = Resource(name="Stockage", kind=kind, capacity_per_year=Decimal(100),
                        watts_per_core=Decimal("10"))
    result = estimate(resource=resource, amount=Decimal(10), price_per_unit=Decimal("30"))
    assert result.energy_kwh is None and result.co2e_kg is None
    assert result.cost_eur == Decimal("300")  # 10 TB × 30 EUR per TB


def test_compute_without_power_figure_is_not_estimated():
    resource = Resource(name="GPU", kind=ResourceKind.GPU, capacity_per_year=Decimal(1))
    assert estimate(resource=resource, amount=Decimal(5), price_per_unit=None).energy_kwh is None


def test_no_price_means_no_cost():
    assert estimate(resource=cpu(), amount=Decimal(10), price_per_unit=None).cost_eur is None
    assert estimate(resource=cpu(), amount=Decimal(10),
                    price_per_unit=Decimal(0)).cost_eur == Decimal(0)


def test_energy_kwh_with_cores_gpus_and_memory():
    """2 h on 4 cores at 12 W, 1 GPU at 250 W and 16 GB, PUE 1.5:
    2 × 1.5 × (48 + 250 + 16 × 0.3725) / 1000 = 2 × 1.5 × 303.96 / 1000 = 0.91188 kWh."""
    kwh = energy_kwh(hours=Decimal(2), cores=Decimal(4), watts_per_core=Decimal(12),
                     gpus=Decimal(1), watts_per_gpu=Decimal(250), memory_gb=Decimal(16),
                     pue=Decimal("1.5"))
    assert kwh == Decimal("0.91188")


def test_energy_kwh_uses_the_pue_setting_and_counts_missing_power_as_zero():
    # 10 h × 1.67 × (8 cores × 0 W + 32 GB × 0.3725 W/GB) / 1000 = 0.199064 kWh
    assert energy_kwh(hours=Decimal(10), cores=Decimal(8), watts_per_core=None,
                      memory_gb=Decimal(32)) == Decimal("0.199064")
    with override_settings(ENERGY_PUE=1.2):
        assert energy_kwh(hours=Decimal(1), cores=Decimal(1),
                          watts_per_core=Decimal(100)) == Decimal("0.12")


def test_co2e_cost_and_heat():
    assert co2e_kg(Decimal(1000)) == Decimal("51.28")  # kg CO2e for 1 MWh
    assert electricity_cost_eur(Decimal(100)) == Decimal("20.16")  # EUR
    assert reusable_heat_kwh(Decimal(100)) == Decimal("40.0")  # kWh


def test_price_table_for_one_organisation_kind():
    saved = cpu()
    saved.save()
    other = gpu()
    other.save()
    ResourcePrice.objects.create(resource=saved, organisation_kind="sme",
                                 price_per_unit=Decimal("0.02"))
    ResourcePrice.objects.create(resource=saved, organisation_kind="lab",
                                 price_per_unit=Decimal("0"))
    assert price_table(resources=[saved, other], organisation_kind="sme") \
        == {saved.pk: Decimal("0.02")}
    assert price_table(resources=[saved, other], organisation_kind="lab") \
        == {saved.pk: Decimal("0")}


def test_hardware_page_shows_energy_per_unit(client):
    resource = cpu(slurm_partition="cpu")
    resource.save()
    body = client.get("/en" + reverse("resources:hardware")).content.decode()
    assert "0.0192 kWh" in body  # 0.0191883 kWh per core-hour, rounded
    assert "0.98 g CO₂e" in body  # 0.0191883 × 51.28 = 0.984 g
    assert "19.19 kWh" in body  # the worked example: 1000 core-hours at 10 W and 4 GB


def test_default_sources_are_shown_in_the_readers_language_and_a_set_source_as_it_is(settings):
    settings.ENERGY_PUE_SOURCE = ""
    constants = energy_constants()
    with translation.override("en"):
        assert str(constants.pue_source).startswith("Green Algorithms default")
    with translation.override("fr"):
        assert str(constants.pue_source).startswith("valeur par défaut de Green Algorithms")
        assert "tarif réglementé" in str(constants.electricity_price_source)
    settings.ENERGY_PUE_SOURCE = "Mesure du site, hiver 2026"
    with translation.override("en"):
        assert energy_constants().pue_source == "Mesure du site, hiver 2026"
