"""Settings for the test suite: the real settings, in development mode.

The database still comes from DATABASE_URL, so the same suite runs on SQLite
(the default) and on PostgreSQL (``make test`` runs both).
"""

import os

os.environ.setdefault("SHINCHOKU_ENV", "development")

from shinchoku.settings import *  # noqa: F403

# Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files come from the finders; there is no collected folder in a test run.
STATIC_ROOT = None  # type: ignore[assignment]
