"""The Redis cache as production uses it, made to ride out a Redis outage.

django-redis already turns a failed call into a miss (IGNORE_EXCEPTIONS). Two things it leaves are fixed here:
- Every call of a page would wait for the socket timeout again (a page makes several); after a failure this process
  stops asking Redis for `RETRY_AFTER` seconds, so a page waits at most one timeout (1 s) per window.
- `add` answers None when Redis is unreachable, and allauth's login limit takes its lock with `add`: it waited a
  second and refused every login with 429. Here `add` succeeds while Redis is down, so the lockout pauses (a
  warning says so) and people log in; django-ratelimit's counters (`add` then `incr`) likewise let requests through.
"""

import logging
import time

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0


class _Outage:
    """When this process last found Redis unreachable (module-wide: one Redis behind every cache alias)."""

    until = 0.0

    @classmethod
    def now(cls) -> bool:
        return time.monotonic() < cls.until

    @classmethod
    def begin(cls) -> None:
        if not cls.now():
            logger.warning("Redis 无法连接：%s 秒内不再访问缓存，登录失败次数限制暂停。", RETRY_AFTER)
        cls.until = time.monotonic() + RETRY_AFTER


class _WatchedClient:
    """The django-redis client, noting a connection failure before django-redis swallows it."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except ConnectionInterrupted:
                _Outage.begin()
                raise

        return call


class OutageTolerantRedisCache(RedisCache):
    @property
    def client(self):
        if _Outage.now():
            raise ConnectionInterrupted(connection=None)
        return _WatchedClient(super().client)

    def add(self, *args, **kwargs) -> bool:
        added = super().add(*args, **kwargs)
        return True if added is None else added  # None: Redis unreachable (see the module's docstring)
