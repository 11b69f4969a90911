"""ASGI entry point. Production settings unless DJANGO_SETTINGS_MODULE names
others: a server started without its environment file refuses to start (no SECRET_KEY)
instead of running on development defaults."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
application = get_asgi_application()
