#!/usr/bin/env python
import os
import sys

# Commands that serve requests run as the application role, under row-level security like gunicorn; every other
# command (migrate, seed_demo, tenant_create, createsuperuser, shell...) runs as the owner, over every tenant.
APPLICATION_COMMANDS = {"runserver"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in APPLICATION_COMMANDS:
        os.environ["JIXIAO_DATABASE_ROLE"] = "app"
    else:
        os.environ.setdefault("JIXIAO_DATABASE_ROLE", "owner")
        from common.rls import process_enter_all_tenants

        process_enter_all_tenants()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
