"""manage.py verify_audit: check the sealed audit trail; name the first record altered or removed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from audit import sealing


class Command(BaseCommand):
    help = (
        "Check every history row against the hash chain of the audit records. Exits with an error naming "
        "the first record that was altered or removed (and how many problems there are in all)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--all", action="store_true", help="List every problem, not only the first.")

    def handle(self, *args, database: str, all: bool, **options) -> None:  # noqa: A002
        try:
            result = sealing.verify(using=database)
        except NotImplementedError as error:
            raise CommandError(str(error)) from None
        if not result.problems:
            self.stdout.write(self.style.SUCCESS(f"The audit trail is intact: {result.records} records."))
            return
        if all:
            for problem in result.problems:
                self.stderr.write(problem.message)
        raise CommandError(
            f"The audit trail was tampered with. First: {result.first.message}. "
            f"{len(result.problems)} problem(s) in {result.records} records."
        )
