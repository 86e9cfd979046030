"""WSGI entry point for deployments: `gunicorn config.wsgi`.

It defaults to production settings, so a server started without DJANGO_SETTINGS_MODULE
gets the production checks rather than DEBUG.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
