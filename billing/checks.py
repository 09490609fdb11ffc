"""Deployment check: the association's identity must be real in production."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from .selectors.identity import identity_problems


@register(Tags.security, deploy=True)
def check_association_identity(app_configs=None, **kwargs) -> list[Error]:
    """``manage.py check --deploy``: every identity setting an invoice needs is set, valid
    (python-stdnum, schwifty) and not the demonstration's made-up value."""
    return [Error(problem, hint="Set it in the environment (see .env.example).",
                  id="billing.E001")
            for problem in identity_problems(production=not settings.DEBUG)]
