"""Production: PostgreSQL, Redis, gunicorn behind TLS. `manage.py check --deploy` passes with these.

It refuses to start on the development defaults: a server whose environment file was not read (no SECRET_KEY, no
ALLOWED_HOSTS, no PERSONAL_DATA_KEY of its own) or that asks for DEBUG stops at once with a message, rather than
serve with a key everyone knows."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import EMBEDDED_SECRET_KEY, env_bool

_key = os.environ.get("SECRET_KEY", "")
if not _key or _key == EMBEDDED_SECRET_KEY or _key.startswith("请替换"):
    raise ImproperlyConfigured(
        "生产设置需要自己的 SECRET_KEY：请在 /etc/portal/portal.env 中设置随机长密钥"
        '（python3 -c "import secrets; print(secrets.token_urlsafe(50))"），不能使用开发默认值。'
    )
_personal = os.environ.get("PERSONAL_DATA_KEY", "")
if not _personal or _personal == _key or _personal.startswith("请替换"):
    raise ImproperlyConfigured(
        "生产设置需要自己的 PERSONAL_DATA_KEY（身份证号哈希与待确认导入文件的加密密钥）：请在 /etc/portal/portal.env 中"
        "设置一个不同于 SECRET_KEY 的随机长密钥，并与数据库备份分开保存。"
    )
if "ALLOWED_HOSTS" not in os.environ:
    raise ImproperlyConfigured("生产设置需要 ALLOWED_HOSTS（网站的域名或地址），请在 /etc/portal/portal.env 中设置。")
if env_bool("DEBUG", False):
    raise ImproperlyConfigured("生产环境不能开启 DEBUG：请删除 /etc/portal/portal.env 中的 DEBUG 或设为 0。")

DEBUG = False
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
