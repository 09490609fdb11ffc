"""The resource catalogue: staff pages, the save service, the admin and the public page."""

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from algoric.pages.models import Page
from members.models import OrganisationKind
from resources.models import Resource, ResourceKind, ResourcePrice
from resources.selectors.catalogue import (
    catalogue_for_request,
    catalogue_for_staff,
    public_resources,
)
from resources.services.catalogue import resource_save, resource_set_active

pytestmark = pytest.mark.django_db


# --- Helpers -----------------------------------------------------------------------------

def make_resource(**fields) -> Resource:
    values = {"name": "Grappe CPU", "kind": ResourceKind.CPU,
              "capacity_per_year": Decimal("1000000"), "slurm_partition": "cpu",
              "watts_per_core": Decimal("12"), "memory_gb_per_core": Decimal("4")}
    values.update(fields)
    return Resource.objects.create(**values)


def form_data(**overrides) -> dict:
    """A valid POST of the resource form: a CPU resource, SME and lab priced, lab free."""
    data = {
        "name": "Grappe CPU recyclée", "kind": "cpu", "order": "1",
        "description_fr": "Nœuds bi-processeurs", "description_en": "Dual-socket nodes",
        "capacity_per_year": "2000000", "slurm_cluster": "algoric", "slurm_partition": "cpu",
        "watts_per_core": "12", "memory_gb_per_core": "4", "watts_per_gpu": "",
        "is_public": "on", "is_active": "on",
        "price_sme": "0.02", "price_lab": "0", "price_public_body": "",
        "price_school": "", "price_association": "", "price_individual": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


CPU_DATA = {"name": "CPU", "kind": "cpu", "capacity_per_year": Decimal("1000"),
            "watts_per_core": Decimal("10"), "memory_gb_per_core": Decimal("4")}


# --- Access ------------------------------------------------------------------------------

def staff_urls() -> list[str]:
    resource = make_resource()
    return [reverse("resources:staff_list"), reverse("resources:staff_create"),
            reverse("resources:staff_edit", args=[resource.pk])]


def test_anonymous_is_sent_to_login(client):
    for url in staff_urls():
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("account_login"))


def test_member_gets_403(client, member):
    client.force_login(member)
    for url in staff_urls():
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(reverse("resources:staff_create"), form_data()).status_code \
        == HTTPStatus.FORBIDDEN
    assert not Resource.objects.filter(name="Grappe CPU recyclée").exists()


def test_staff_without_mfa_is_sent_to_enrol(client, staff):
    client.force_login(staff)
    for url in staff_urls():
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_with_mfa_sees_the_pages(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    for url in staff_urls():
        assert client.get(url).status_code == HTTPStatus.OK


def test_toggle_active_refuses_get(client, staff_with_mfa):
    resource = make_resource()
    client.force_login(staff_with_mfa)
    response = client.get(reverse("resources:staff_toggle_active", args=[resource.pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_toggle_active_is_closed_to_members(client, member):
    resource = make_resource()
    client.force_login(member)
    response = client.post(reverse("resources:staff_toggle_active", args=[resource.pk]),
                           {"is_active": "0"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    resource.refresh_from_db()
    assert resource.is_active


def test_unknown_resource_is_404(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    assert client.get(reverse("resources:staff_edit", args=[999])).status_code \
        == HTTPStatus.NOT_FOUND


def test_service_refuses_non_staff(member):
    with pytest.raises(PermissionDenied):
        resource_save(resource=None, data=CPU_DATA, prices={}, actor=member)
    assert not Resource.objects.exists()


# --- Create and edit ---------------------------------------------------------------------

def test_staff_creates_a_resource_with_prices(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.post(reverse("resources:staff_create"), form_data())
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("resources:staff_list")
    resource = Resource.objects.get(name="Grappe CPU recyclée")
    assert resource.kind == ResourceKind.CPU
    assert resource.capacity_per_year == Decimal("2000000")
    assert resource.watts_per_core == Decimal("12")
    assert resource.slurm_partition == "cpu" and resource.is_public and resource.is_active
    prices = dict(resource.prices.values_list("organisation_kind", "price_per_unit"))
    assert prices == {"sme": Decimal("0.02"), "lab": Decimal("0")}  # 0 kept, blanks unset
    assert any("Grappe CPU recyclée" in text for text in message_texts(response))


def test_staff_edits_a_resource_and_its_prices(client, staff_with_mfa):
    resource = make_resource(name="Old name")
    ResourcePrice.objects.create(resource=resource, organisation_kind="sme",
                                 price_per_unit=Decimal("0.05"))
    ResourcePrice.objects.create(resource=resource, organisation_kind="school",
                                 price_per_unit=Decimal("0.01"))
    client.force_login(staff_with_mfa)
    page = client.get(reverse("resources:staff_edit", args=[resource.pk]))
    assert page.status_code == HTTPStatus.OK
    assert page.context["form"].initial["price_sme"] == Decimal("0.05")
    seen = page.context["form"].initial["seen_updated_at"]
    response = client.post(reverse("resources:staff_edit", args=[resource.pk]), form_data(
        name="New name", capacity_per_year="3000000", price_sme="0.03", price_lab="",
        price_school="", seen_updated_at=seen))
    assert response.status_code == HTTPStatus.FOUND
    resource.refresh_from_db()
    assert resource.name == "New name"
    assert resource.capacity_per_year == Decimal("3000000")
    prices = dict(resource.prices.values_list("organisation_kind", "price_per_unit"))
    assert prices == {"sme": Decimal("0.03")}  # the blank school price was removed


@pytest.mark.parametrize("field", ["price_sme", "price_individual"])
def test_negative_price_refused_and_nothing_saved(client, staff_with_mfa, field):
    client.force_login(staff_with_mfa)
    response = client.post(reverse("resources:staff_create"), form_data(**{field: "-0.01"}))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert "ne peut pas être négatif" in body or "cannot be negative" in body
    assert response.context["form"].errors[field]
    assert any("pas pu être enregistrée" in text or "not saved" in text
               for text in message_texts(response))
    assert not Resource.objects.exists() and not ResourcePrice.objects.exists()


def test_negative_capacity_refused_and_nothing_saved(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.post(reverse("resources:staff_create"), form_data(capacity_per_year="-5"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors["capacity_per_year"]
    assert not Resource.objects.exists()


def test_edit_with_a_bad_price_changes_nothing(client, staff_with_mfa):
    resource = make_resource(name="Keep me")
    client.force_login(staff_with_mfa)
    response = client.post(reverse("resources:staff_edit", args=[resource.pk]),
                           form_data(name="Changed", price_sme="abc"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    resource.refresh_from_db()
    assert resource.name == "Keep me"
    assert not resource.prices.exists()


def test_service_refuses_negative_price_without_creating_the_resource(staff_with_mfa):
    with pytest.raises(ValidationError) as caught:
        resource_save(resource=None, data=CPU_DATA,
                      prices={"sme": Decimal("0.02"), "lab": Decimal("-1")},
                      actor=staff_with_mfa)
    assert "price_lab" in caught.value.message_dict
    assert not Resource.objects.exists() and not ResourcePrice.objects.exists()


def test_service_refuses_negative_capacity_and_power(staff_with_mfa):
    with pytest.raises(ValidationError) as caught:
        resource_save(resource=None, data={**CPU_DATA, "capacity_per_year": Decimal("-1"),
                                           "memory_gb_per_core": Decimal("-2")},
                      prices={}, actor=staff_with_mfa)
    assert set(caught.value.message_dict) == {"capacity_per_year", "memory_gb_per_core"}
    assert not Resource.objects.exists()


def test_service_refuses_too_many_decimals_and_unknown_kinds(staff_with_mfa):
    with pytest.raises(ValidationError) as caught:
        resource_save(resource=None, data=CPU_DATA,
                      prices={"sme": Decimal("0.00001"), "martians": Decimal("1")},
                      actor=staff_with_mfa)
    assert {"price_sme", "__all__"} <= set(caught.value.message_dict)
    assert not Resource.objects.exists()


def test_a_failing_price_write_rolls_the_resource_back(staff_with_mfa, monkeypatch):
    """All or nothing: if writing a price fails, the new resource is not kept either."""
    def broken(**kwargs):
        raise IntegrityError("disk full")

    monkeypatch.setattr(ResourcePrice.objects, "update_or_create", broken)
    with pytest.raises(IntegrityError):
        resource_save(resource=None, data=CPU_DATA, prices={"sme": Decimal("1")},
                      actor=staff_with_mfa)
    assert not Resource.objects.exists()


def test_cpu_needs_power_per_core_and_gpu_power_per_gpu(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.post(reverse("resources:staff_create"), form_data(watts_per_core=""))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors["watts_per_core"]
    response = client.post(reverse("resources:staff_create"),
                           form_data(name="GPU", kind="gpu", watts_per_gpu=""))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors["watts_per_gpu"]
    assert not Resource.objects.exists()


def test_power_figures_the_kind_does_not_use_are_cleared(staff_with_mfa):
    disk = resource_save(resource=None, data={
        "name": "Stockage", "kind": "disk", "capacity_per_year": "100",
        "watts_per_core": "12", "memory_gb_per_core": "4", "watts_per_gpu": "300"},
        prices={}, actor=staff_with_mfa)
    assert (disk.watts_per_core, disk.memory_gb_per_core, disk.watts_per_gpu) \
        == (None, None, None)
    gpu = resource_save(resource=None, data={
        "name": "GPU", "kind": "gpu", "capacity_per_year": "40000",
        "watts_per_core": "12", "watts_per_gpu": "250"}, prices={}, actor=staff_with_mfa)
    assert gpu.watts_per_gpu == Decimal("250") and gpu.watts_per_core is None


def test_duplicate_name_is_refused(client, staff_with_mfa):
    make_resource(name="Grappe CPU recyclée")
    client.force_login(staff_with_mfa)
    response = client.post(reverse("resources:staff_create"), form_data())
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors["name"]
    assert Resource.objects.count() == 1


def test_stale_edit_is_refused(client, staff_with_mfa):
    resource = make_resource(name="Shared")
    client.force_login(staff_with_mfa)
    seen = client.get(reverse("resources:staff_edit", args=[resource.pk])) \
        .context["form"].initial["seen_updated_at"]
    resource_save(resource=resource, data={"capacity_per_year": "5"}, prices={},
                  actor=staff_with_mfa)  # someone else saves meanwhile
    response = client.post(reverse("resources:staff_edit", args=[resource.pk]),
                           form_data(name="Mine", seen_updated_at=seen))
    assert response.status_code == HTTPStatus.CONFLICT
    resource.refresh_from_db()
    assert resource.name == "Shared" and resource.capacity_per_year == Decimal("5")


def test_toggle_active_closes_and_reopens(client, staff_with_mfa):
    resource = make_resource()
    client.force_login(staff_with_mfa)
    url = reverse("resources:staff_toggle_active", args=[resource.pk])
    assert client.post(url, {"is_active": "0"}).status_code == HTTPStatus.FOUND
    assert client.post(url, {"is_active": "0"}).status_code == HTTPStatus.FOUND  # harmless
    resource.refresh_from_db()
    assert not resource.is_active
    assert resource not in catalogue_for_request()
    client.post(url, {"is_active": "1"})
    resource.refresh_from_db()
    assert resource.is_active


def test_toggle_active_with_a_bad_value_is_400(client, staff_with_mfa):
    resource = make_resource()
    client.force_login(staff_with_mfa)
    response = client.post(reverse("resources:staff_toggle_active", args=[resource.pk]),
                           {"is_active": "maybe"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    resource.refresh_from_db()
    assert resource.is_active


def test_set_active_refuses_non_staff(member):
    resource = make_resource()
    with pytest.raises(PermissionDenied):
        resource_set_active(resource=resource, is_active=False, actor=member)


# --- Staff list and selectors ------------------------------------------------------------

def test_staff_list_shows_every_resource_with_its_prices(client, staff_with_mfa,
                                                         django_assert_max_num_queries):
    for index in range(5):
        resource = make_resource(name=f"Resource {index}", is_public=index % 2 == 0,
                                 is_active=index != 3)
        ResourcePrice.objects.create(resource=resource, organisation_kind="sme",
                                     price_per_unit=Decimal("0.0200"))
    client.force_login(staff_with_mfa)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("resources:staff_list"))
    body = response.content.decode()
    for index in range(5):
        assert f"Resource {index}" in body
    assert "0,02" in body and "0,0200" not in body  # trimmed, French decimal comma
    assert reverse("resources:staff_create") in body


def test_catalogue_selectors_keep_catalogue_order():
    later = make_resource(name="A later", order=2)
    first = make_resource(name="Z first", order=1)
    hidden = make_resource(name="Hidden", order=0, is_public=False)
    closed = make_resource(name="Closed", order=0, is_active=False)
    assert list(public_resources()) == [first, later]
    assert list(catalogue_for_request()) == [hidden, first, later]
    assert [row.resource for row in catalogue_for_staff()] == [closed, hidden, first, later]
    assert len(catalogue_for_staff()[0].prices) == len(OrganisationKind.values)


def test_admin_lists_and_edits_resources(client, staff_with_mfa):
    resource = make_resource()
    client.force_login(staff_with_mfa)
    assert client.get(reverse("admin:resources_resource_changelist")).status_code \
        == HTTPStatus.OK
    page = client.get(reverse("admin:resources_resource_change", args=[resource.pk]))
    assert page.status_code == HTTPStatus.OK
    assert "prices-TOTAL_FORMS" in page.content.decode()


# --- Public hardware page ----------------------------------------------------------------

def test_hardware_page_lists_public_active_resources_only(client):
    make_resource(name="Grappe publique", description_fr="Des nœuds",
                  description_en="Some nodes", capacity_per_year=Decimal("2000000"))
    make_resource(name="Machine cachée", is_public=False)
    make_resource(name="Machine arrêtée", is_active=False)
    page = Page.objects.get(slug="hardware")
    french = client.get(reverse("resources:hardware"))
    assert french.status_code == HTTPStatus.OK
    body = french.content.decode()
    assert '<html lang="fr">' in body and page.title_fr in body
    assert "Grappe publique" in body and "Des nœuds" in body
    assert "Machine cachée" not in body and "Machine arrêtée" not in body
    assert "2\u00a0000\u00a0000" in body or "2 000 000" in body
    assert "1,67" in body and "51,28" in body  # PUE and carbon intensity, French format

    english = client.get("/en" + reverse("resources:hardware"))
    assert english.status_code == HTTPStatus.OK
    body = english.content.decode()
    assert '<html lang="en">' in body and page.title_en in body
    assert "Some nodes" in body and "2,000,000" in body
    assert "Machine cachée" not in body
    assert "Green Algorithms" in body and "PUE" in body


def test_hardware_page_without_resources_says_soon(client):
    with translation.override("en"):
        url = reverse("resources:hardware")
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "will be published here soon" in body
    assert f'href="{reverse("pages:join")}"' in body or 'href="/en/join/"' in body
    assert "table above" not in body and "Green Algorithms" in body


def test_hardware_page_works_without_its_page_text(client):
    Page.objects.filter(slug="hardware").delete()
    make_resource(name="Grappe")
    response = client.get("/en" + reverse("resources:hardware"))
    assert response.status_code == HTTPStatus.OK
    assert "Grappe" in response.content.decode()


def test_hardware_page_escapes_resource_text(client):
    make_resource(name='<script>alert("x")</script>', description_fr="<b onclick=x()>b</b>")
    body = client.get(reverse("resources:hardware")).content.decode()
    assert '<script>alert("x")</script>' not in body and "<b onclick" not in body
    assert "&lt;script&gt;" in body


def test_empty_staff_list_invites_to_add_a_resource(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    with translation.override("en"):
        url = reverse("resources:staff_list")
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert "The catalogue is empty" in response.content.decode()
