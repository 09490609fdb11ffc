"""Factories for the test suite (factory-boy)."""

import factory
from allauth.account.models import EmailAddress

from algoric.pages.models import Page
from members.models import User

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
