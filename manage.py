#!/usr/bin/env python
"""Django's command-line utility for the Algoric portal."""

import os
import sys


def main() -> None:
    """Run a management command; settings default to ``algoric.settings.local``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "algoric.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
