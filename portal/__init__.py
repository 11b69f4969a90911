"""服务型党组织建设平台. The version is shown in the page footer and by `manage.py version`; `make bundle` names the
release after it, and CHANGELOG.md has a section for each."""

from .celery import app as celery_app

__version__ = "1.0.0"

__all__ = ("__version__", "celery_app")
