"""`trellis import-people FILE`: load the directory from an HRIS CSV export (docs/import.md)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.people.importing import (
    ImportFileError,
    ImportResult,
    InvalidRowsError,
    import_people,
)


class Command(BaseCommand):
    help = (
        "Import people from an HRIS CSV export. People are matched on employee id; people "
        "missing from the file are deactivated (never deleted) unless --no-deactivate is given. "
        "A file with bad rows changes nothing unless --skip-invalid is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file, or - to read standard input.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created, updated and deactivated, and every bad row; "
            "change nothing.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows even when some rows are bad (the bad rows are reported).",
        )
        parser.add_argument(
            "--no-deactivate",
            action="store_true",
            help="The file is partial: leave people who are not in it as they are.",
        )

    def handle(self, *args, **options):
        data = self._read(options["file"])
        try:
            result = import_people(
                data,
                deactivate_missing=not options["no_deactivate"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except InvalidRowsError as exc:
            self._report(exc.result, "Not imported", options["verbosity"])
            raise CommandError(
                f"{exc} Fix the rows listed, or rerun with --skip-invalid to import the other "
                f"{exc.valid_rows:,}.",
                returncode=2,
            ) from None
        heading = "Dry run, nothing changed" if options["dry_run"] else "Imported"
        self._report(result, heading, options["verbosity"])

    def _read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.", returncode=2) from None

    def _report(self, result: ImportResult, heading: str, verbosity: int) -> None:
        if verbosity < 1:
            return
        write = self.stdout.write
        write(f"{heading}: {result.summary_line()}.")
        if result.ignored_columns:
            write(f"Ignored columns: {', '.join(result.ignored_columns)}.")
        if not result.deactivate_missing:
            write("People missing from the file are left as they are (--no-deactivate).")
        for error in result.errors:
            write(self.style.ERROR(str(error)))
        if verbosity < 2:
            return
        for change in result.created:
            write(f"  create      {change.employee_id}  {change.name}  (line {change.line})")
        for change in result.updated:
            fields = ", ".join("reactivated" if f == "is_active" else f for f in change.fields)
            write(
                f"  update      {change.employee_id}  {change.name}  (line {change.line}): {fields}"
            )
        for change in result.deactivated:
            write(f"  deactivate  {change.employee_id}  {change.name}")
