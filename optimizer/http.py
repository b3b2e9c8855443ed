"""Request types the views are annotated with: what middleware and decorators add to a request.

Django's `HttpRequest` knows nothing of attributes set on it at run time, so each is declared on
a subclass used only in annotations (django-htmx's documented pattern:
https://django-htmx.readthedocs.io/en/latest/tips.html#make-htmx-available-in-type-hints).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from optimizer.api_keys import KeyInfo, RateCount


class HtmxHttpRequest(HttpRequest):
    """A page request: `HtmxMiddleware` sets `htmx` on every request."""

    htmx: HtmxDetails


class ApiRequest(HttpRequest):
    """An /api/v1 request after `require_key` (sets `api_key`) and `parse_json` (sets `json`)."""

    api_key: KeyInfo
    json: dict[str, Any]
    # require_key(count_with_lookup=True): the count the pipeline's cache lookup sends.
    rate_count: RateCount
