"""The ``itsm`` command: Django's management commands plus ``serve``, ``worker`` and ``demo``.

A missing or malformed setting stops start-up with one line naming it (exit status 2).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.config.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "itsm"
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        print(f"itsm: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
