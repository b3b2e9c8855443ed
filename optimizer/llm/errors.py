"""One small exception family for everything that can go wrong upstream."""

from __future__ import annotations


class LLMError(Exception):
    """An upstream failure, already classified.

    `retryable`: worth another attempt (connection errors, timeouts, 408, 409, 429, 5xx, 529).
    `retry_after`: seconds the upstream asked us to wait (retry-after / retry-after-ms), if any.
    `code`: a stable machine-readable name used in API errors and SSE `error` events.
    `limited_until`: the unix time an exhausted anthropic-ratelimit-* budget refills, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        code: str = "upstream_error",
        retry_after: float | None = None,
        limited_until: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.limited_until = limited_until

    def __str__(self) -> str:
        return self.message


class RetryAfterTooLongError(LLMError):
    """The upstream asked us to wait longer than RetryConfig.max_delay: fail now, clearly."""


class RetriesExhaustedError(LLMError):
    """Every attempt failed with a retryable error."""
