from __future__ import annotations

import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from commitments.seeding import DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = (
        "Load a plainly synthetic, deterministic demo dataset (marked as demo) and one account per "
        "role (staff-nl, staff-be, staff-secretariat, reviewer, minister, admin, focal-nl, focal-be) with "
        "the password in DEMO_PASSWORD."
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
        accounts = ", ".join(
            [*(username for username, _role, _countries in DEMO_USERS), "focal-nl", "focal-be"]
        )
        self.stdout.write(f"Demo accounts (password from DEMO_PASSWORD): {accounts}.")
