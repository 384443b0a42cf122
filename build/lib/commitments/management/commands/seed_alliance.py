from __future__ import annotations

from django.core.management.base import BaseCommand

from commitments.seeding import seed_alliance


class Command(BaseCommand):
    help = (
        "Load the alliance's reference data: 55 countries, 6 goals, the indicators, the 2013 baseline and "
        "2014 progress periods and the 2012-2014 evaluation round. Safe to run again: rows edited by staff "
        "are kept as they are."
    )

    def handle(self, *args, **options) -> None:
        report = seed_alliance()
        self.stdout.write(self.style.SUCCESS(f"Alliance data: {report}."))
