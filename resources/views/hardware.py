"""The public "hardware and resources" page."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import render
from django.views.decorators.http import require_GET

from algoric.core.page_cache import public_page
from algoric.pages.markdown import render_markdown
from algoric.pages.models import Page

from ..energy import MEMORY_WATTS_PER_GB, co2e_kg, energy_constants, energy_kwh
from ..selectors.catalogue import public_hardware_table


@public_page("pages", "catalogue")
@require_GET
def hardware(request):
    """The public "hardware and resources" page: the staff-edited ``hardware`` page, then
    the public resources with their yearly capacity, then how energy is estimated."""
    constants = energy_constants()
    page = Page.objects.filter(slug="hardware").first()
    example_kwh = energy_kwh(hours=Decimal(1000), cores=Decimal(1),
                             watts_per_core=Decimal(10), memory_gb=Decimal(4))
    return render(request, "resources/hardware.html", {
        "page": page,
        "body_html": render_markdown(page.body) if page else "",
        "rows": public_hardware_table(
            carbon_intensity_g_per_kwh=constants.carbon_intensity_g_per_kwh),
        "constants": constants,
        "memory_watts_per_gb": MEMORY_WATTS_PER_GB,
        "example_kwh": example_kwh,
        "example_co2e_kg": co2e_kg(example_kwh),
    })
