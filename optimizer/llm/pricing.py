"""Per-model prices in USD per million tokens, and the cost of one call.

Prices are Anthropic's published list prices (standard tier). Add or change one with
LLM_PRICES='{"model-id": [input, output]}'. An unknown model costs None, never a guess,
except a model that LLM_PROVIDER=openai_compatible serves from this machine or a private
network (Ollama, LM Studio...): it costs 0 unless LLM_PRICES says otherwise.
Prompt caching (5-minute cache): writing a prefix costs 1.25x the input price, reading it 0.1x.
"""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings

PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "claude-sonnet-5-5": (2.0, 10.0),
    "claude-sonnet-5": (2.0, 10.0),
    "claude-opus-5-5": (5.0, 25.0),
    "claude-opus-5": (5.0, 25.0),
    "claude-sonnet-4-6": (3.0, 15.0),
    "claude-sonnet-4-5": (3.0, 15.0),
    "claude-sonnet-4-5-20250929": (3.0, 15.0),
    "claude-sonnet-4-20250514": (3.0, 15.0),
    "claude-opus-4-5": (5.0, 25.0),
    "claude-opus-4-1": (15.0, 75.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-haiku-4-5-20251001": (1.0, 5.0),
    "offline-ats-v1": (0.0, 0.0),
    "offline-ats-v2": (0.0, 0.0),
}


def is_local_url(url: str) -> bool:
    """A server on this machine or a private network: loopback, RFC 1918, link-local, or a
    name that only resolves locally (localhost, *.local, host.docker.internal)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in ("localhost", "host.docker.internal") or host.endswith((".localhost", ".local")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def price_for(model: str) -> tuple[float, float] | None:
    override = settings.LLM_PRICES.get(model)
    if override is not None:
        return (float(override[0]), float(override[1]))
    known = PRICES_PER_MTOK.get(model)
    if known is None and settings.LLM_PROVIDER == "openai_compatible":
        if is_local_url(settings.LLM_BASE_URL):
            return (0.0, 0.0)  # your own hardware: no bill per token
    return known


CACHE_WRITE_MULTIPLIER = Decimal("1.25")
CACHE_READ_MULTIPLIER = Decimal("0.1")
# The Message Batches API costs half the standard price, for input and output alike.
BATCH_MULTIPLIER = Decimal("0.5")


def cost_usd(
    model: str,
    input_tokens: int,
    output_tokens: int,
    cache_creation_input_tokens: int = 0,
    cache_read_input_tokens: int = 0,
    *,
    batch: bool = False,
) -> float | None:
    """Cost of one call, rounded to 1/10000 of a cent; None for a model with no known price.

    input_tokens is the uncached part of the prompt, as Anthropic reports it; the prompt-cache
    writes and reads are priced on top of it. batch: a Message Batches call, at half price."""
    price = price_for(model)
    if price is None:
        return None
    input_price, output_price = Decimal(str(price[0])), Decimal(str(price[1]))
    cost = (
        input_price * input_tokens
        + output_price * output_tokens
        + input_price * CACHE_WRITE_MULTIPLIER * cache_creation_input_tokens
        + input_price * CACHE_READ_MULTIPLIER * cache_read_input_tokens
    ) / 10**6
    if batch:
        cost *= BATCH_MULTIPLIER
    return float(round(cost, 6))
