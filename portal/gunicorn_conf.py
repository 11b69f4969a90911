"""gunicorn's configuration for its own log lines: `gunicorn -c python:portal.gunicorn_conf portal.wsgi ...`.

Without it gunicorn's master prints its lines in its own format and in the process's time zone (UTC under systemd)
while its workers, once Django has set TZ, print +08:00. With it, gunicorn's lines (master and workers) go through
the portal's LOGGING like every other line: one JSON object each (or text, see LOG_FORMAT), stamped in TIME_ZONE.
The request lines come from the portal (portal.request, with the request id), so gunicorn's access log stays off.
"""

from django.conf import settings

# gunicorn's access line would repeat portal.request's (which carries the request id): off.
_access_off = {"gunicorn.access": {"handlers": [], "propagate": True, "level": "WARNING"}}
logconfig_dict = {**settings.LOGGING, "loggers": {**settings.LOGGING.get("loggers", {}), **_access_off}}
