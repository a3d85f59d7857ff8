"""Settings come from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Variables that other tests or the developer's shell may set and that would change the outcome.
SCRUBBED = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _run(env_overrides: dict[str, str], code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "trellis.settings"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def test_debug_off_without_secret_key_refuses_to_start(tmp_path):
    result = _run(
        {"DEBUG": "0", "TRELLIS_DATA_DIR": str(tmp_path)}, "import django; django.setup()"
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_secret_is_generated_once_and_kept(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _run({"DEBUG": "1", "TRELLIS_DATA_DIR": str(tmp_path)}, code)
    second = _run({"DEBUG": "1", "TRELLIS_DATA_DIR": str(tmp_path)}, code)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_database_url_and_default_sqlite_file(tmp_path):
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'])"
    )
    default = _run({"DEBUG": "1", "TRELLIS_DATA_DIR": str(tmp_path)}, code)
    assert default.stdout.split() == [
        "django.db.backends.sqlite3",
        str(tmp_path / "trellis.sqlite3"),
    ]
    postgres = _run(
        {
            "DEBUG": "1",
            "TRELLIS_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://app@db.internal:5432/trellis",
        },
        code,
    )
    assert postgres.stdout.split() == ["django.db.backends.postgresql", "trellis"]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "trellis", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **{k: v for k, v in os.environ.items() if k not in SCRUBBED},
            "DJANGO_SETTINGS_MODULE": "trellis.settings",
            "DEBUG": "0",
            "SECRET_KEY": "x" * 20 + "production-like-secret-key-with-entropy-9f8e7d6c5b4a",
            "ALLOWED_HOSTS": "trellis.example.com",
            "TRELLIS_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
