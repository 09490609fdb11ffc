"""Factories for the test suite (factory-boy)."""

from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from algoric.pages.models import Page
from members.models import (
    FeeSchedule,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    TermsTemplate,
    User,
)
from members.validators import luhn_is_valid

PASSWORD = "correct-Horse-battery-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified primary email and the password :data:`PASSWORD`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    language = "fr"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    """A staff member (no MFA yet: see the ``staff_with_mfa`` fixture)."""

    is_staff = True
    is_superuser = True


class PageFactory(factory.django.DjangoModelFactory):
    """A public page with French and English text."""

    class Meta:
        model = Page
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"page-{n}")
    title_fr = "Titre de la page"
    title_en = "Page title"
    body_fr = "Bonjour **tout le monde**."
    body_en = "Hello **everyone**."


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An SME with a valid SIRET (Luhn-checked), in French."""

    class Meta:
        model = Organisation

    kind = OrganisationKind.SME
    name = factory.Sequence(lambda n: f"Calcul Marin {n} SARL")
    siret = factory.Sequence(lambda n: siret_for(n))
    address = "2 rue du Port"
    postal_code = "56400"
    city = "Auray"
    contact_email = factory.Sequence(lambda n: f"contact{n}@org.example")
    language = "fr"


def siret_for(n: int) -> str:
    """A 14-digit SIRET number passing the Luhn check, distinct for each ``n``."""
    stem = f"7321{n:09d}"
    for last in range(10):
        candidate = stem + str(last)
        if luhn_is_valid(candidate):
            return candidate
    raise AssertionError("unreachable")


class OrganisationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMember

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganisationMember.Role.MEMBER


class FeeScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeSchedule
        django_get_or_create = ("kind", "year")

    kind = OrganisationKind.SME
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    amount = Decimal("250.00")


class TermsTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermsTemplate
        django_get_or_create = ("kind", "version")

    kind = OrganisationKind.SME
    version = 1
    title_fr = "Convention d'accès"
    title_en = "Access agreement"
    body_fr = "## Article 1\n\nObjet de la convention."
    body_en = "## Article 1\n\nPurpose of the agreement."
    is_published = True
