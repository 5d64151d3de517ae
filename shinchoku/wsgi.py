"""WSGI entry point for gunicorn: ``gunicorn shinchoku.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")

application = get_wsgi_application()
