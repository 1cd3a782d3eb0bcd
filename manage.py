#!/usr/bin/env python
"""Django's command-line utility for Sanmanyi."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanmanyi.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        # Import the settings first so a bad environment stops here with one clear line,
        # instead of surfacing later as an unrelated "unknown command".
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        sys.stderr.write(f"配置错误 (configuration error): {error}\n")
        sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
