"""The ``klustera`` console command: Django's manage.py under the product's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klustera.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from klustera.tenancy.context import platform_context

    # Commands run as the platform (e.g. createsuperuser makes a platform admin);
    # tenant data stays out of reach unless a command selects a complex itself.
    with platform_context():
        execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
