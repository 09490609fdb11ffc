"""``manage.py create_api_token EMAIL --scope read [--scope write] [--expires-days N]
[--name NAME]``: create a personal access token and print it (the only time it is shown).

For scripts and tests. The ``staff`` scope needs verified staff (TOTP), as on the profile
page. Recorded in the audit trail and the owner is told, as on the page.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from members.models import User

from ...models import Scope
from ...services.tokens import tokens_create


class Command(BaseCommand):
    help = "Create a personal access token of a member and print it."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The member's email address.")
        parser.add_argument("--scope", action="append", choices=Scope.values, required=True,
                            dest="scopes", help="A scope (repeat for several).")
        parser.add_argument("--expires-days", type=int, default=None,
                            help="Days of validity (default API_TOKEN_DEFAULT_DAYS, at most "
                                 "API_TOKEN_MAX_DAYS).")
        parser.add_argument("--name", default="command line", help="The token's name.")

    def handle(self, *args, email, scopes, expires_days, name, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the address {email!r}.")
        try:
            _token, secret = tokens_create(user=user, name=name, scopes=scopes,
                                           expires_days=expires_days, actor=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(secret)
