"""The `trellis` command: Django's management commands under friendlier names.

`trellis import-people FILE`, `trellis demo`, `trellis worker`, `trellis serve`, and every other
management command (`trellis migrate`, `trellis createsuperuser` ...). Dashes and underscores are
interchangeable in command names. `trellis match PEOPLE.csv --out PAIRS.csv` is the spreadsheet
matcher (trellis.matching.io): it runs before Django is set up and needs no database.
"""

import os
import signal
import sys

ALIASES = {
    "worker": "db_worker",
    "serve": "runserver",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if hasattr(signal, "SIGPIPE"):
        # `trellis import-people big.csv --dry-run | head` should stop quietly, as Unix tools do.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if len(argv) > 1 and argv[1] == "match":
        from trellis.matching.io import main as match

        sys.exit(match(argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        name = argv[1]
        argv[1] = ALIASES.get(name, name.replace("-", "_"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
