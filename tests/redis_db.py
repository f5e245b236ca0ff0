"""A real Redis database number for one test: skipped when Redis is down, emptied around it."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from redis import Redis
from redis.exceptions import RedisError


@contextmanager
def empty_redis(url: str) -> Iterator[str]:
    """Yield `url` with its database emptied before and after; skip when it is unreachable."""
    connection = Redis.from_url(url)
    try:
        connection.ping()
    except RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    connection.flushdb()
    try:
        yield url
    finally:
        connection.flushdb()
