"""Shared set-up for benchmark scripts: a throw-away data directory and a migrated database.

Uses DATABASE_URL when set (to measure PostgreSQL), otherwise a fresh SQLite file.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("TRELLIS_DATA_DIR", tempfile.mkdtemp(prefix="trellis-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite":
        # Never benchmark on a live database: use a dedicated, freshly created test database.
        from django.test.utils import setup_databases

        setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)


def report(name: str, value: float, unit: str, target: float, lower_is_better: bool = True) -> bool:
    ok = value < target if lower_is_better else value > target
    sign = "<" if lower_is_better else ">"
    print(f"{name}  {value:.3f}  {unit}  target{sign}{target:g}  {'ok' if ok else 'MISSED'}")
    return ok
