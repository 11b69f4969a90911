"""WSGI entry point (gunicorn). Production settings unless DJANGO_SETTINGS_MODULE names
others: a server started without its environment file refuses to start (no SECRET_KEY)
instead of running on development defaults."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
application = get_wsgi_application()
