"""Settings for a laptop: the default when ``DJANGO_SETTINGS_MODULE`` is not set.

DEBUG is on unless ``DJANGO_DEBUG`` says otherwise; everything else comes from ``base``.
"""

from .base import *  # noqa: F401,F403
from .base import VAR_DIR, env
from .identity import with_demo_identity

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The embedded defaults keep the database, emails and private files here.
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The association's identity: made-up values wherever the environment sets none.
vars().update(with_demo_identity({name: value for name, value in vars().copy().items()
                                  if name.startswith(("ASSOCIATION_", "INVOICE_"))}))
