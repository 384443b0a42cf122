"""Import indicator values from a spreadsheet template, as the workspace's upload does.

manage.py import_values values.xlsx --user staff-nl --dry-run   # say what would change
manage.py import_values values.xlsx --user staff-nl             # import it all, or nothing
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commitments import spreadsheet


class Command(BaseCommand):
    help = "Import indicator values from a filled-in spreadsheet template (a dry run with --dry-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The filled-in template (.xlsx).")
        parser.add_argument("--user", required=True, help="The user name the import is made as.")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would change.")

    def handle(self, *args, file: str, user: str, dry_run: bool, **options) -> None:
        person = get_user_model().objects.filter(username=user).first()
        if person is None or not person.is_active:
            raise CommandError(f"No active user {user!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        if path.stat().st_size > spreadsheet.max_bytes():
            raise CommandError(
                f"{file} is larger than {spreadsheet.max_bytes() // 2**20} MB; nothing was imported."
            )
        try:
            upload = spreadsheet.read_upload(path.read_bytes(), name=path.name)
            if dry_run:
                plan = spreadsheet.import_plan(user=person, upload=upload)
            else:
                plan = spreadsheet.import_apply(user=person, upload=upload, name=path.name[:60])
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None
        for row in plan.rows:
            if row.state != spreadsheet.CellState.UNCHANGED:
                detail = f"{row.before or '—'} -> {row.after or '—'}"
                if row.note_changed:
                    detail += f"; note: {row.note_before or '—'!r} -> {row.note_after or '—'!r}"
                self.stdout.write(
                    f"row {row.number} {row.country_code} {row.indicator_code}: {row.state.value} {detail}"
                    + (f" ({row.reason})" if row.reason else "")
                )
        counts = ", ".join(f"{state}: {count}" for state, count in plan.counts.items())
        verb = "Dry run" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} ({plan.period.label}): {counts}"))
        if dry_run and not plan.can_apply and (plan.counts["invalid"] or plan.counts["conflict"]):
            raise CommandError("Some rows are invalid or in conflict: the import would be refused.")
