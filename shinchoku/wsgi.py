"""WSGI entry point for gunicorn: ``gunicorn shinchoku.wsgi``.

Django behind a shared cache of public answers (core.shared_cache): a citizen's published page
or file asked for again is answered without entering Django. The garbage collector is set for a
long-running process (core.collector).
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from shinchoku.core import collector
from shinchoku.core.shared_cache import SharedCache

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")

application = SharedCache(
    get_wsgi_application(),
    seconds=settings.SHINCHOKU_SHARED_CACHE_SECONDS,
    session_cookie=settings.SESSION_COOKIE_NAME,
)
# Full garbage collections rare in a long-running worker (core.collector). gunicorn loads this
# module before it forks the workers (preload_app), so they share the frozen start-up heap.
collector.tune()
