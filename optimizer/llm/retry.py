"""Exponential backoff with jitter for async LLM calls (the seed's RetryConfig and helpers).

Delay before retry n (n = 0 for the first retry) is min(initial_delay * base**n, max_delay),
times a uniform factor in [0.5, 1.5] when jitter is on: ~1 s, ~2 s, ~4 s with the defaults.
Only retryable errors are retried; a retry-after longer than max_delay fails at once. A 529
(overloaded: the whole upstream is short of capacity) waits OVERLOADED_BACKOFF_FACTOR times as
long as other errors (a 500 is often one bad request), still within max_delay.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from optimizer.llm.errors import LLMError, RetriesExhaustedError, RetryAfterTooLongError

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
OVERLOADED_BACKOFF_FACTOR = 3.0


@dataclass
class RetryConfig:
    max_retries: int = 3
    initial_delay: float = 1.0
    max_delay: float = 60.0
    exponential_base: float = 2.0
    jitter: bool = True
    # Injected in tests so that backoff is measured without waiting on the wall clock.
    sleep: Callable[[float], Awaitable[Any]] = field(default=asyncio.sleep, repr=False)
    random: Callable[[], float] = field(default=random.random, repr=False)

    def delay_for(self, retry_number: int) -> float:
        """Seconds to wait before retry `retry_number` (0-based)."""
        delay = min(self.initial_delay * self.exponential_base**retry_number, self.max_delay)
        if self.jitter:
            delay *= 0.5 + self.random()
        return delay


def is_retryable(error: BaseException) -> bool:
    if isinstance(error, LLMError):
        return error.retryable
    if isinstance(error, ConnectionError | TimeoutError):
        return True
    status = getattr(error, "status_code", None) or getattr(error, "status", None)
    return isinstance(status, int) and (status in RETRYABLE_STATUSES or status >= 500)


def _is_overloaded(error: BaseException) -> bool:
    code = getattr(error, "code", None)
    return code == "upstream_overloaded" or getattr(error, "status", None) == 529


async def retry_with_exponential_backoff(
    func: Callable[..., Awaitable[T]], config: RetryConfig, *args: Any, **kwargs: Any
) -> T:
    """Await func(*args, **kwargs), retrying retryable failures up to config.max_retries times."""
    attempt = 0
    while True:
        try:
            result = await func(*args, **kwargs)
        except Exception as error:
            if not is_retryable(error):
                raise
            if attempt >= config.max_retries:
                logger.error(
                    "All %d retry attempts exhausted. Last error: %s", config.max_retries, error
                )
                if isinstance(error, LLMError):
                    raise RetriesExhaustedError(
                        f"All {config.max_retries} retry attempts exhausted. Last error: {error}",
                        retryable=False,
                        status=error.status,
                        code=error.code,
                        retry_after=error.retry_after,
                    ) from error
                raise
            retry_after = getattr(error, "retry_after", None)
            if retry_after is not None and retry_after > config.max_delay:
                raise RetryAfterTooLongError(
                    f"Upstream asked to retry after {retry_after:g} s, longer than the "
                    f"{config.max_delay:g} s we wait: giving up now. Last error: {error}",
                    status=getattr(error, "status", None),
                    code=getattr(error, "code", "upstream_error"),
                    retry_after=retry_after,
                ) from error
            if retry_after is not None:
                delay = retry_after
            else:
                delay = config.delay_for(attempt)
                if _is_overloaded(error):
                    delay = min(delay * OVERLOADED_BACKOFF_FACTOR, config.max_delay)
            attempt += 1
            logger.warning("Attempt %d failed (%s); retrying in %.2f s", attempt, error, delay)
            await config.sleep(delay)
            continue
        if attempt:
            logger.info("Retry succeeded on attempt %d", attempt + 1)
        return result


def with_retry(
    config: RetryConfig | None = None,
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Decorator form: @with_retry(RetryConfig(max_retries=3)) on an async function."""
    config = config or RetryConfig()

    def decorate(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            return await retry_with_exponential_backoff(func, config, *args, **kwargs)

        return wrapper

    return decorate
