"""WSGI entry point (gunicorn alliance_monitor.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance_monitor.settings")

application = get_wsgi_application()
