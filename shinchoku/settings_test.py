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

# Published files go to a directory of this run's own, removed at its end (content-addressed:
# tests share it without seeing each other's rows).
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

_ARTEFACTS = tempfile.mkdtemp(prefix="shinchoku-artefacts-")
atexit.register(shutil.rmtree, _ARTEFACTS, ignore_errors=True)
STORAGES["artefacts"]["OPTIONS"]["location"] = _ARTEFACTS  # type: ignore[index]  # noqa: F405
