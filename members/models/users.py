"""People of the portal. Organisations, memberships and agreements join them here."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    """Manager for :class:`User`, whose login is the email address (no username)."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        """Create a member. ``password=None`` makes the account unusable until a reset."""
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        """Create a staff superuser. Raises ``ValueError`` if the flags say otherwise."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email: str):
        """Find a user by email, ignoring case."""
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person with an account. The email address is the login.

    ``language`` is the language the person reads: the portal's pages after login
    and every notification sent to them use it.
    """

    username = None
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("Language of the portal and of the emails you receive."),
    )
    cluster_login = models.CharField(
        _("cluster login"),
        max_length=32,
        blank=True,
        help_text=_("Your user name on the Algoric cluster, if you have one."),
    )

    deleted_at = models.DateTimeField(
        _("account deleted"), null=True, blank=True,
        help_text=_("When the person deleted their account; the row is kept, anonymised."),
    )
    deletion_note = models.TextField(
        _("what was kept and why"), blank=True,
        help_text=_("Written when the account is deleted: what the association keeps (signed "
                    "agreements, requests, accounting) and the reason."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        """The full name when known, else the email address ("deleted account" once the
        person deleted their account)."""
        if self.deleted_at is not None:
            return str(_("deleted account #%(id)s") % {"id": self.pk})
        return self.get_full_name() or self.email
