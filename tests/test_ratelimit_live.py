"""Anthropic's rate-limit headers over two uvicorn workers sharing Redis: after an answer says
0 requests remain until a reset, no call reaches the fake before that reset, from either
worker; the requests wait and succeed (counted at the fake, by the time each call arrived)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import emptied_suite_redis, fake_upstream_env
from samples import JOB, RESUME

from optimizer.testing.fake_anthropic import FakeReply

pytestmark = [pytest.mark.live, pytest.mark.services]

RESET_IN = 2.0


def body(n: int) -> dict[str, str]:
    return {"resume_raw_text": f"{RESUME}\nReference {n}", "job_description_text": JOB}


def test_no_call_reaches_the_upstream_before_an_exhausted_budget_resets(
    live_server_factory: Callable[..., Any], fake_anthropic: Any
) -> None:
    server = live_server_factory(
        workers=2, **fake_upstream_env(fake_anthropic), REDIS_URL=emptied_suite_redis()
    )
    key = server.manage("create_api_key", "limits", env=server.env).strip().splitlines()[-1]
    headers = {"X-API-Key": key}
    url = f"{server.url}/api/v1/generate"
    fake_anthropic.enqueue(FakeReply(ratelimit_remaining=0, ratelimit_reset_in=RESET_IN))
    assert httpx.post(url, json=body(0), headers=headers, timeout=30).status_code == 200
    (first,) = fake_anthropic.requests
    assert first.headers_sent_at is not None
    reset_at = first.headers_sent_at + RESET_IN

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=30, headers=headers) as client:
            return await asyncio.gather(*(client.post(url, json=body(n)) for n in range(1, 11)))

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 10
    later = fake_anthropic.requests[1:]
    assert len(later) == 10 and all(r.status == 200 for r in later)
    # The reset is sent to the millisecond: allow that much.
    early = [r.received_at - reset_at for r in later if r.received_at < reset_at - 0.002]
    assert early == [], early
    print(
        f"10 requests over 2 workers waited {min(r.received_at for r in later) - first.received_at:.2f} s, none early, 0 429s"
    )
