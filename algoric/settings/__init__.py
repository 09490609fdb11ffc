"""Settings package: ``base`` is shared; ``local`` (default), ``test``, ``production``."""
