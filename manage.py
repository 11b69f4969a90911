#!/usr/bin/env python
"""Django's command-line utility for the portal."""

import os
import sys


def main() -> None:
    # Development settings by default, for `make run`; servers set DJANGO_SETTINGS_MODULE in /etc/portal/portal.env.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] == ["version"]:
        # Django answers `version` itself (with its own version) before looking for a command: this one is ours.
        sys.argv[1] = "portal_version"

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
