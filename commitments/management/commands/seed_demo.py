from __future__ import annotations

import os
import time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from commitments.seeding import DEMO_USERS, seed_demo
from reporting.seeding import seed_demo_reports


class Command(BaseCommand):
    help = (
        "Load a plainly synthetic, deterministic demo dataset (marked as demo) and one account per "
        "role (staff-nl, staff-be, staff-secretariat, reviewer, minister, admin, focal-nl, focal-be) with "
        "the password in DEMO_PASSWORD. Builds and publishes the 2012–2014 round's alliance-wide report "
        "and the Netherlands' country report (in this process: a minute or two) unless --without-reports."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--without-reports",
            action="store_true",
            help="Do not build the demo's published reports (faster; the reports page stays empty)",
        )

    def handle(self, *args, **options) -> None:
        password = os.environ.get("DEMO_PASSWORD", "")
        if not password:
            raise CommandError("Set DEMO_PASSWORD to the password the demo accounts should have.")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(f"DEMO_PASSWORD is too weak: {' '.join(error.messages)}") from None
        counts = seed_demo(password=password)
        summary = ", ".join(f"{number} {name}" for name, number in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Synthetic demo data: {summary}."))
        if not options["without_reports"]:
            self.stdout.write("Building the demo's published reports (alliance-wide, Netherlands)...")
            started = time.monotonic()
            try:
                built = seed_demo_reports()
            except RuntimeError as error:
                raise CommandError(str(error)) from None
            summary = ", ".join(f"{number} {name}" for name, number in built.items())
            seconds = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"Demo reports: {summary} ({seconds:.0f} s)."))
        accounts = ", ".join(
            [*(username for username, _role, _countries in DEMO_USERS), "focal-nl", "focal-be"]
        )
        self.stdout.write(f"Demo accounts (password from DEMO_PASSWORD): {accounts}.")
