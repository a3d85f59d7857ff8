"""Test settings: the real settings module, with a fixed secret and synchronous tasks.

Everything else (database from DATABASE_URL, middleware, security) is what production runs.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghij")
os.environ.setdefault("TRELLIS_DATA_DIR", os.path.join(tempfile.gettempdir(), "trellis-test-data"))

from trellis.settings import *  # noqa: F403

# Tasks run in-process so tests see their effects (real task code, no queue).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Argon2 stays the first hasher in production; tests hash faster with MD5.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
