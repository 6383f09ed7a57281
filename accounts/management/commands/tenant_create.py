"""`manage.py tenant_create`: a new tenant and its first admin, for platform operators and scripted set-ups."""

import json

from django.core.management.base import BaseCommand, CommandError
from rest_framework.exceptions import ValidationError

from accounts.services import tenant_create
from common.errors import flatten_errors


class Command(BaseCommand):
    help = ("Create a tenant and invite its first admin by mail (or, with --password, create the admin's "
            "account directly). Validates like POST /api/v1/tenants/.")

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("admin_email", help="The first admin's email.")
        parser.add_argument("--admin-name", default="", help="The first admin's full name.")
        parser.add_argument("--time-zone", default="UTC", help="An IANA time zone, e.g. Asia/Shanghai.")
        parser.add_argument("--currency", default="CNY", help="An ISO 4217 code, e.g. CNY.")
        parser.add_argument("--tenant-settings", type=json.loads, default={},
                            help='Tenant settings as JSON, e.g. \'{"qa_pass_mark": 85, "appeal_window_days": 10}\'.')
        parser.add_argument("--password", default=None,
                            help="Create the admin's account with this password instead of inviting them "
                                 "(scripted set-ups; the email must not have an account yet).")

    def handle(self, *args, **options):
        try:
            tenant, invitation = tenant_create(
                created_by=None, slug=options["slug"], name=options["name"], admin_email=options["admin_email"],
                admin_full_name=options["admin_name"], time_zone=options["time_zone"],
                currency=options["currency"], settings=options["tenant_settings"], admin_password=options["password"],
            )
        except ValidationError as error:
            lines = [f"{e['field'] or 'input'}: {e['message']}" for e in flatten_errors(error.detail)]
            raise CommandError("The tenant was not created.\n" + "\n".join(lines)) from None
        self.stdout.write(f"Tenant '{tenant.slug}' ({tenant.name}) created.")
        if invitation is None:
            self.stdout.write(f"Its admin {options['admin_email']} can log in with the password given.")
        else:
            self.stdout.write(f"An invitation to become its admin was mailed to {invitation.email}; "
                              f"it is valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC.")
