"""`trellis import-outcomes FILE`: load promotions, role changes and exits from an HR export."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.reports.outcomes import (
    InvalidOutcomeRowsError,
    OutcomeFileError,
    OutcomeImportResult,
    import_outcomes,
)


class Command(BaseCommand):
    help = (
        "Import HR outcomes (promotion, role change, exit) from a CSV file with employee_id "
        "(or email), kind and date columns. A file with bad rows changes nothing unless "
        "--skip-invalid is given; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file, or - to read standard input.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows even when some rows are bad (the bad rows are listed).",
        )

    def handle(self, *args, **options):
        name = options["file"]
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.", returncode=2) from None
        try:
            result = import_outcomes(
                data, skip_invalid=options["skip_invalid"], dry_run=options["dry_run"]
            )
        except OutcomeFileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except InvalidOutcomeRowsError as exc:
            self._report(exc.result, "Not imported")
            raise CommandError(
                f"{exc} Fix the rows listed, or rerun with --skip-invalid to import the other "
                f"{exc.valid_rows:,}.",
                returncode=2,
            ) from None
        self._report(result, "Dry run, nothing changed" if options["dry_run"] else "Imported")

    def _report(self, result: OutcomeImportResult, heading: str) -> None:
        self.stdout.write(f"{heading}: {result.summary_line()}.")
        if result.ignored_columns:
            self.stdout.write(f"Ignored columns: {', '.join(result.ignored_columns)}.")
        for error in result.errors:
            self.stdout.write(f"  {error}")
