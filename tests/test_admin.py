"""The admin site: generation records, API keys and the LLM cache pages."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync
from conftest import use_redis
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from samples import JOB, RESUME

from optimizer import admin_cache, services
from optimizer.admin import RAW_KEY_SESSION
from optimizer.llm import cache as cache_module
from optimizer.llm.cache import LLMCache, get_llm_cache
from optimizer.models import ApiKey, Application, Optimization, Resume, hash_api_key

pytestmark = pytest.mark.django_db

RAW_KEY_RE = re.compile(r"ats_[A-Za-z0-9_-]{20,}")


# -- helpers ---------------------------------------------------------------------------------


def make_entry(job: str, optimized: str = "Jane Doe\nPython developer", **extra: Any) -> dict:
    """A cache entry shaped like the pipeline's (services._cache_entry)."""
    return {
        "version": services.CACHE_ENTRY_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "model": "claude-sonnet-4-20250514",
        "job_excerpt": " ".join(job.split())[:200],
        "result": {
            "optimized_resume": optimized,
            "changes_made": ["Moved Python to the top"],
            "expected_improvement": "Better keyword coverage",
            "usage_stats": {
                "input_tokens": 2500,
                "output_tokens": 900,
                "cost_usd": 0.021,
                "model": "claude-sonnet-4-20250514",
                "cached": False,
                "saved_usd": 0.0,
                "provider": "anthropic",
                "attempts": 1,
                "latency_ms": 4200.0,
                "time_to_first_chunk_ms": 800.0,
            },
            "warnings": [],
            "is_valid": True,
            "quality": {},
            "stop_reason": "end_turn",
        },
        "chunks": [optimized[:5], optimized[5:]],
        **extra,
    }


def put_entry(cache: LLMCache, job: str, **kwargs: Any) -> str:
    """Store an entry the way the pipeline does; returns its digest (the key without prefix)."""
    key = cache.key_prefix + hashlib.sha256(job.encode()).hexdigest()
    assert async_to_sync(cache.set_by_key)(key, make_entry(job, **kwargs))
    return key[len(cache.key_prefix) :]


@pytest.fixture(params=["embedded", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test on the embedded cache and on the real Redis server (db 15)."""
    if request.param == "redis":
        request.getfixturevalue("real_redis")
    else:
        request.getfixturevalue("embedded_cache")
    return request.param


@pytest.fixture
def staff() -> User:
    return User.objects.create_superuser("boss", "boss@example.com", "pw")


@pytest.fixture
def staff_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def user_client() -> Client:
    user = User.objects.create_user("visitor", "visitor@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def make_optimization(**fields: Any) -> Optimization:
    values: dict[str, Any] = {
        "resume_text": RESUME,
        "job_description": JOB,
        "status": Optimization.Status.DONE,
        "model": "claude-sonnet-4-20250514",
        "input_tokens": 2500,
        "output_tokens": 900,
        "cost_usd": Decimal("0.021"),
        "latency_ms": 4200.0,
        "first_chunk_ms": 800.0,
        "result": {"optimized_resume": "Jane Doe\nPython developer"},
        "warnings": ["one", "two"],
        "timings": {"start": 0.0, "first_chunk": 800.0, "done": 4200.0},
    }
    values.update(fields)
    return Optimization.objects.create(**values)


# -- who may see what ------------------------------------------------------------------------


def admin_pages(digest: str) -> list[tuple[str, str]]:
    record = make_optimization()
    key, _ = ApiKey.create_key("ci")
    resume = Resume.objects.create(name="Base", text="Jane Doe", session_key="s")
    application = Application.objects.create(optimization=record, note="Call Ana")
    return [
        ("get", reverse("admin:index")),
        ("get", reverse("admin:optimizer_optimization_changelist")),
        ("get", reverse("admin:optimizer_optimization_change", args=[record.pk])),
        ("get", reverse("admin:optimizer_optimization_history", args=[record.pk])),
        ("get", reverse("admin:optimizer_optimization_delete", args=[record.pk])),
        ("get", reverse("admin:optimizer_apikey_changelist")),
        ("get", reverse("admin:optimizer_apikey_change", args=[key.pk])),
        ("get", reverse("admin:optimizer_resume_changelist")),
        ("get", reverse("admin:optimizer_resume_change", args=[resume.pk])),
        ("get", reverse("admin:optimizer_application_changelist")),
        ("get", reverse("admin:optimizer_application_change", args=[application.pk])),
        ("get", reverse("admin:optimizer_apikey_add")),
        ("get", reverse("admin:optimizer_apikey_created", args=[key.pk])),
        ("get", reverse("admin:cache")),
        ("get", reverse("admin:cache_entry", args=[digest])),
        ("get", reverse("admin:cache_clear")),
        ("post", reverse("admin:cache_invalidate", args=[digest])),
        ("post", reverse("admin:cache_clear")),
        ("post", reverse("admin:optimizer_apikey_add")),
    ]


def test_every_admin_page_renders_for_staff(staff_client: Client) -> None:
    digest = put_entry(get_llm_cache(), JOB)
    for method, url in admin_pages(digest):
        if method == "post":
            continue  # the POST pages are tested below; they would delete the entry
        response = staff_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("who", ["anonymous", "not staff"])
def test_every_admin_page_is_refused_to_non_staff(who: str, user_client: Client) -> None:
    client = Client() if who == "anonymous" else user_client
    cache = get_llm_cache()
    digest = put_entry(cache, JOB)
    for method, url in admin_pages(digest):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    # The refused POSTs deleted and created nothing.
    assert async_to_sync(cache.get_by_key)(cache.key_prefix + digest) is not None
    assert ApiKey.objects.count() == 1


def test_staff_without_model_permissions_is_refused_the_records(client: Client) -> None:
    user = User.objects.create_user("helper", "h@example.com", "pw", is_staff=True)
    client.force_login(user)
    record = make_optimization()
    assert client.get(reverse("admin:optimizer_optimization_changelist")).status_code == 403
    change = reverse("admin:optimizer_optimization_change", args=[record.pk])
    assert client.get(change).status_code == 403


def test_index_links_to_the_cache_page(staff_client: Client) -> None:
    response = staff_client.get(reverse("admin:index"))
    assert f'href="{reverse("admin:cache")}"' in response.content.decode()
    assert reverse("admin:cache") == "/admin/cache/"


# -- generation records ----------------------------------------------------------------------


def test_optimization_list_shows_columns_and_owner(staff_client: Client) -> None:
    key, _ = ApiKey.create_key("Acme ATS bridge")
    make_optimization(api_key=key, source="api")
    make_optimization(session_key="abcdef1234567890", source="page", cached=True)
    response = staff_client.get(reverse("admin:optimizer_optimization_changelist"))
    html = response.content.decode()
    assert "API key: Acme ATS bridge" in html
    assert "session abcdef12…" in html
    assert "abcdef1234567890" not in html  # the session key itself is not shown in full
    assert "4,200" in html and "800" in html  # latency and time to first chunk
    assert "$0.0210" in html


def test_optimization_totals_follow_the_filters_and_search(staff_client: Client) -> None:
    make_optimization(cost_usd=Decimal("0.5"), input_tokens=100, output_tokens=10)
    make_optimization(cost_usd=Decimal("0.25"), input_tokens=200, output_tokens=20)
    make_optimization(
        status=Optimization.Status.FAILED,
        cost_usd=Decimal("1"),
        input_tokens=1000,
        output_tokens=0,
        job_description="Kubernetes platform engineer",
    )
    url = reverse("admin:optimizer_optimization_changelist")

    totals = staff_client.get(url).context["totals"]
    assert (totals["records"], totals["cost"]) == (3, Decimal("1.75"))
    assert (totals["input_tokens"], totals["output_tokens"]) == (1300, 30)

    done = staff_client.get(url, {"status__exact": "done"})
    assert done.context["totals"]["records"] == 2
    assert done.context["totals"]["cost"] == Decimal("0.75")
    assert "$0.7500" in done.content.decode()

    searched = staff_client.get(url, {"q": "kubernetes"})
    assert searched.context["totals"]["input_tokens"] == 1000


def test_optimization_list_filters_exist(staff_client: Client) -> None:
    make_optimization()
    response = staff_client.get(reverse("admin:optimizer_optimization_changelist"))
    html = response.content.decode()
    for query in ("status__exact=failed", "cached__exact=1", "model=claude-sonnet-4-20250514"):
        assert query in html
    assert "created_at__gte=" in html


@pytest.mark.parametrize("records", [1, 30])
def test_optimization_list_query_count_does_not_grow(staff_client: Client, records: int) -> None:
    url = reverse("admin:optimizer_optimization_changelist")
    make_optimization()
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(url).status_code == 200
    for index in range(records):
        key, _ = ApiKey.create_key(f"key {index}")
        make_optimization(api_key=key if index % 2 else None, session_key=f"s{index}")
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(url)
    assert response.context["totals"]["records"] == records + 1
    assert len(many) == len(one) <= 10


def test_optimization_detail_is_read_only_and_escaped(staff_client: Client) -> None:
    record = make_optimization(
        job_description="<script>alert('x')</script> Senior Python Developer",
        result={"optimized_resume": "Jane <b>Doe</b>", "changes_made": ["a"]},
        warnings=["Claim not in resume: <i>Kubernetes</i>"],
        timings={"first_chunk": 812.5, "done": 4100.0},
    )
    url = reverse("admin:optimizer_optimization_change", args=[record.pk])
    html = staff_client.get(url).content.decode()
    assert "&lt;script&gt;alert(" in html and "<script>alert(" not in html
    assert "Jane &lt;b&gt;Doe&lt;/b&gt;" in html
    assert "Claim not in resume: &lt;i&gt;Kubernetes&lt;/i&gt;" in html
    assert "&quot;first_chunk&quot;: 812.5" in html
    assert 'name="_save"' not in html  # no save button: nothing is editable

    response = staff_client.post(url, {"status": "failed"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == Optimization.Status.DONE
    add = reverse("admin:optimizer_optimization_add")
    assert staff_client.get(add).status_code == 403


def test_optimization_can_be_deleted_by_staff(staff_client: Client) -> None:
    record = make_optimization()
    url = reverse("admin:optimizer_optimization_delete", args=[record.pk])
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Optimization.objects.filter(pk=record.pk).exists()


# -- API keys --------------------------------------------------------------------------------


def test_raw_api_key_is_shown_exactly_once(
    staff_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = staff_client.post(
        reverse("admin:optimizer_apikey_add"),
        {"name": "Acme ATS bridge", "is_admin": "on"},
        follow=True,
    )
    html = response.content.decode()
    found = RAW_KEY_RE.findall(html)
    assert len(found) == 1
    raw = found[0]
    key = ApiKey.objects.get()
    assert (key.name, key.is_admin) == ("Acme ATS bridge", True)
    assert key.key_hash == hash_api_key(raw)
    assert raw.startswith(key.prefix)
    assert RAW_KEY_SESSION not in staff_client.session

    later_pages = [
        reverse("admin:optimizer_apikey_created", args=[key.pk]),
        reverse("admin:optimizer_apikey_change", args=[key.pk]),
        reverse("admin:optimizer_apikey_changelist"),
        reverse("admin:index"),
    ]
    for url in later_pages:
        page = staff_client.get(url)
        assert page.status_code == 200
        assert raw not in page.content.decode(), url
        assert key.key_hash not in page.content.decode(), url
    assert "already shown once" in staff_client.get(later_pages[0]).content.decode()
    assert all(raw not in entry.change_message for entry in LogEntry.objects.all())
    assert raw not in caplog.text


def test_api_key_hash_is_not_editable(staff_client: Client) -> None:
    key, _ = ApiKey.create_key("ci")
    url = reverse("admin:optimizer_apikey_change", args=[key.pk])
    response = staff_client.post(
        url, {"name": "renamed", "is_admin": "on", "key_hash": "0" * 64, "prefix": "ats_hacked"}
    )
    assert response.status_code == 302
    updated = ApiKey.objects.get(pk=key.pk)
    assert (updated.name, updated.is_admin) == ("renamed", True)
    assert (updated.key_hash, updated.prefix) == (key.key_hash, key.prefix)


def test_revoke_action_revokes_and_list_shows_it(staff_client: Client) -> None:
    kept, _ = ApiKey.create_key("kept")
    gone, _ = ApiKey.create_key("gone")
    url = reverse("admin:optimizer_apikey_changelist")
    response = staff_client.post(url, {"action": "revoke", "_selected_action": [gone.pk]})
    assert response.status_code == 302
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.revoked_at is not None and kept.revoked_at is None
    html = staff_client.get(url).content.decode()
    assert f"revoked {gone.revoked_at:%Y-%m-%d}" in html
    assert "active" in html
    revoked_only = staff_client.get(url, {"state": "revoked"})
    assert list(revoked_only.context["cl"].queryset) == [gone]
    active_only = staff_client.get(url, {"state": "active"})
    assert list(active_only.context["cl"].queryset) == [kept]


# -- the cache page --------------------------------------------------------------------------


def test_cache_page_shows_totals_and_entries(staff_client: Client, backend: str) -> None:
    cache = get_llm_cache()
    digest = put_entry(cache, JOB)
    put_entry(cache, "Data engineer with Spark and Airflow, remote in Europe")
    async_to_sync(cache.get_by_key)(cache.key_prefix + digest)  # a hit
    async_to_sync(cache.get_by_key)(cache.key_prefix + "0" * 64)  # a miss
    async_to_sync(cache.record_saving)(0.021)

    response = staff_client.get(reverse("admin:cache"))
    assert response.status_code == 200
    context = response.context
    assert context["entries"] == {
        "count": 2,
        "estimated": False,
        "dbsize": context["entries"]["dbsize"],
    }
    assert (context["stats"]["hits"], context["stats"]["misses"]) == (1, 1)
    html = response.content.decode()
    assert '<td id="cache-hit-rate">50.0%</td>' in html
    assert "$0.0210" in html
    assert f"{cache.ttl_seconds} seconds" in html
    assert digest[:12] in html
    assert "Senior Python Developer We build logistics software" in html
    assert context["memory"]["bytes"] > 0
    expected_method = "MEMORY USAGE" if backend == "redis" else "value sizes"
    assert context["memory"]["method"] == expected_method
    row = next(row for row in context["page"].rows if row.digest == digest)
    assert row.model == "claude-sonnet-4-20250514"
    assert 0 < row.ttl_seconds <= cache.ttl_seconds
    assert row.size_bytes > 100


@pytest.mark.parametrize("scan_count", [500, 7])
def test_cache_pages_cover_every_entry_once(
    staff_client: Client, backend: str, scan_count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin_cache, "SCAN_COUNT", scan_count)

    def no_keys(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the admin must page with SCAN, never KEYS")

    monkeypatch.setattr(redis.Redis, "keys", no_keys)
    cache = get_llm_cache()
    stored = {put_entry(cache, f"Job number {n} for a Python developer") for n in range(120)}
    cache.redis.sync_client().set("foreign:key", b"not ours")

    seen: list[str] = []
    url: str | None = reverse("admin:cache")
    pages = 0
    while url:
        response = staff_client.get(url)
        page = response.context["page"]
        assert len(page.rows) <= admin_cache.PAGE_SIZE
        seen.extend(row.digest for row in page.rows)
        pages += 1
        match = re.search(r'class="cache-next" href="([^"]+)"', response.content.decode())
        url = match.group(1).replace("&amp;", "&") if match else None
        assert pages < 10
    assert sorted(seen) == sorted(stored)
    assert pages == 3  # 50 + 50 + 20


def test_cache_page_reads_only_a_page_of_keys_from_a_big_cache(
    staff_client: Client, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A "big" cache scaled down: the page must not read every key name (no full SCAN)."""
    monkeypatch.setattr(cache_module, "EXACT_COUNT_LIMIT", 100)
    monkeypatch.setattr(admin_cache, "SCAN_COUNT", 20)
    monkeypatch.setattr(admin_cache, "MEMORY_SAMPLE", 10)
    monkeypatch.setattr(cache_module, "COUNT_SAMPLE", 50)
    cache = get_llm_cache()
    for n in range(400):  # every fourth key belongs to someone else
        if n % 4 == 3:
            cache.redis.sync_client().set(f"foreign:{n}", b"x")
        else:
            put_entry(cache, f"Job {n}")
    names_read = 0
    real_scan = redis.Redis.scan

    def counting_scan(self: redis.Redis, *args: Any, **kwargs: Any) -> Any:
        nonlocal names_read
        cursor, keys = real_scan(self, *args, **kwargs)
        names_read += len(keys)
        return cursor, keys

    monkeypatch.setattr(redis.Redis, "scan", counting_scan)
    response = staff_client.get(reverse("admin:cache"))
    assert len(response.context["page"].rows) == admin_cache.PAGE_SIZE
    assert names_read < 150
    entries = response.context["entries"]
    assert entries["estimated"] is True and entries["dbsize"] == 400
    # 300 of 400 keys are ours; a sample of ~50 keys puts the estimate within +-100 (4 sigma).
    assert 200 <= entries["count"] <= 400
    assert "about " in response.content.decode()


def test_cache_page_links_work_when_key_prefix_contains_ours(
    staff_client: Client, settings: Any
) -> None:
    """CACHE_KEY_PREFIX=llm makes Redis keys "llm:1:llm:<hash>"; the links must use <hash>."""
    from optimizer.llm import cache as cache_module

    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": "llm"}}
    cache_module.reset_llm_cache()
    cache = get_llm_cache()
    digest = put_entry(cache, JOB)
    assert (
        admin_cache.key_from_full(cache, cache.full_key(cache.key_prefix + digest))
        == "llm:" + digest
    )

    rows = staff_client.get(reverse("admin:cache")).context["page"].rows
    assert [row.digest for row in rows] == [digest]
    entry = staff_client.get(reverse("admin:cache_entry", args=[digest]))
    assert entry.status_code == 200 and "Better keyword coverage" in entry.content.decode()


@pytest.mark.parametrize(
    "query", [{"cursor": "nope", "skip": "-3"}, {"cursor": str(2**70)}, {"skip": "1e9"}]
)
def test_cache_page_survives_bad_cursor(staff_client: Client, query: dict[str, str]) -> None:
    put_entry(get_llm_cache(), JOB)
    response = staff_client.get(reverse("admin:cache"), query)
    assert response.status_code == 200
    assert len(response.context["page"].rows) == 1


def test_cache_page_lists_a_foreign_shaped_key_under_our_prefix(staff_client: Client) -> None:
    cache = get_llm_cache()
    cache.redis.sync_client().set(cache.full_key(cache.key_prefix + "hand/written"), b"{}")
    response = staff_client.get(reverse("admin:cache"))
    assert response.status_code == 200
    assert [row.digest for row in response.context["page"].rows] == ["hand/written"]


def test_cache_entry_shows_the_full_result_escaped(staff_client: Client, backend: str) -> None:
    cache = get_llm_cache()
    digest = put_entry(cache, JOB, optimized="Jane Doe\n<script>alert(1)</script> Python")
    response = staff_client.get(reverse("admin:cache_entry", args=[digest]))
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Python" in html
    assert "<script>alert(1)" not in html
    assert "&quot;expected_improvement&quot;: &quot;Better keyword coverage&quot;" in html
    assert 'action="{}"'.format(reverse("admin:cache_invalidate", args=[digest])) in html


def test_unreadable_cache_value_is_listed_shown_and_invalidated(staff_client: Client) -> None:
    cache = get_llm_cache()
    digest = "b" * 64
    cache.redis.sync_client().set(cache.full_key(cache.key_prefix + digest), b"<not json>", ex=60)
    rows = staff_client.get(reverse("admin:cache")).context["page"].rows
    assert [(row.digest, row.model) for row in rows] == [(digest, "")]

    html = staff_client.get(reverse("admin:cache_entry", args=[digest])).content.decode()
    assert "not a readable cache entry" in html and "&lt;not json&gt;" in html
    staff_client.post(reverse("admin:cache_invalidate", args=[digest]))
    assert cache.redis.sync_client().exists(cache.full_key(cache.key_prefix + digest)) == 0


def test_cache_entry_that_is_gone_redirects_with_a_message(staff_client: Client) -> None:
    response = staff_client.get(reverse("admin:cache_entry", args=["a" * 64]), follow=True)
    assert "is gone" in response.content.decode()


def test_cache_entry_url_rejects_malformed_keys(staff_client: Client) -> None:
    assert staff_client.get("/admin/cache/entry/*/").status_code == 404
    assert staff_client.get("/admin/cache/entry/" + "g" * 64 + "/").status_code == 404


def test_invalidate_deletes_one_entry_and_nothing_else(staff_client: Client, backend: str) -> None:
    cache = get_llm_cache()
    doomed = put_entry(cache, JOB)
    kept = put_entry(cache, "Data engineer with Spark")
    client = cache.redis.sync_client()
    client.set("foreign:key", b"not ours")
    client.set("llm_other:thing", b"not ours either")

    invalidate = reverse("admin:cache_invalidate", args=[doomed])
    assert staff_client.get(invalidate).status_code == 405  # POST only
    response = staff_client.post(invalidate, follow=True)
    assert "Invalidated cache entry" in response.content.decode()

    assert async_to_sync(cache.get_by_key)(cache.key_prefix + doomed) is None
    assert async_to_sync(cache.get_by_key)(cache.key_prefix + kept) is not None
    assert client.get("foreign:key") == b"not ours"
    assert client.get("llm_other:thing") == b"not ours either"


def test_clear_all_asks_first_then_clears_only_our_prefix(
    staff_client: Client, backend: str
) -> None:
    cache = get_llm_cache()
    digests = [put_entry(cache, f"Job {n}") for n in range(3)]
    client = cache.redis.sync_client()
    client.set("foreign:key", b"not ours")
    client.set("llm-foreign", b"similar prefix")
    async_to_sync(cache.record_saving)(0.5)

    confirm = staff_client.get(reverse("admin:cache_clear"))
    html = confirm.content.decode()
    assert "(3 entries now)" in html and 'name="csrfmiddlewaretoken"' in html
    assert async_to_sync(cache.get_by_key)(cache.key_prefix + digests[0]) is not None

    response = staff_client.post(reverse("admin:cache_clear"), follow=True)
    assert "3 entries deleted" in response.content.decode()
    for digest in digests:
        assert async_to_sync(cache.get_by_key)(cache.key_prefix + digest) is None
    assert client.get("foreign:key") == b"not ours"
    assert client.get("llm-foreign") == b"similar prefix"
    assert async_to_sync(cache.get_stats)()["saved_usd"] == 0.5  # counters are not entries


def test_cache_posts_need_the_csrf_token(staff: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    cache = get_llm_cache()
    digest = put_entry(cache, JOB)
    assert client.post(reverse("admin:cache_invalidate", args=[digest])).status_code == 403
    assert client.post(reverse("admin:cache_clear")).status_code == 403
    assert async_to_sync(cache.get_by_key)(cache.key_prefix + digest) is not None


def test_cache_pages_say_so_when_redis_is_down(staff_client: Client, settings: Any) -> None:
    from conftest import free_port
    from django.core.cache import caches

    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    use_redis(settings, url, SOCKET_CONNECT_TIMEOUT=0.5, SOCKET_TIMEOUT=0.5)
    try:
        pages = [
            staff_client.get(reverse("admin:cache")),
            staff_client.get(reverse("admin:cache_entry", args=["a" * 64])),
            staff_client.get(reverse("admin:cache_clear")),
            staff_client.post(reverse("admin:cache_clear")),
            staff_client.post(reverse("admin:cache_invalidate", args=["a" * 64])),
        ]
        for response in pages:
            assert response.status_code == 503
            assert "The cache is unreachable" in response.content.decode()
        # The rest of the admin does not depend on Redis.
        index = staff_client.get(reverse("admin:index"))
        assert index.status_code == 200
    finally:
        caches["default"].close()


def test_cache_page_shows_what_the_real_pipeline_stored(
    staff_client: Client, use_anthropic: Any
) -> None:
    result = async_to_sync(services.generate)(services.OptimizeRequest(RESUME, JOB))
    assert use_anthropic.calls == 1
    assert result["usage_stats"]["cached"] is False

    response = staff_client.get(reverse("admin:cache"))
    rows = response.context["page"].rows
    assert len(rows) == 1
    assert rows[0].model == "claude-sonnet-4-20250514"
    assert rows[0].job_excerpt.startswith("Senior Python Developer We build")

    entry = staff_client.get(reverse("admin:cache_entry", args=[rows[0].digest]))
    html = entry.content.decode()
    assert "Senior Python Developer" in html
    assert json.dumps(result["usage_stats"]["output_tokens"]) in html


def test_memory_estimate_extrapolates_from_a_sample(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin_cache, "MEMORY_SAMPLE", 5)
    cache = get_llm_cache()
    for n in range(20):
        put_entry(cache, f"Job {n:02d}")  # every entry has the same size
    estimate = admin_cache.memory_estimate(cache, 20)
    assert estimate["sample"] == 5 and estimate["estimated"] is True
    sizes = [
        len(cache.redis.sync_client().get(key))
        for key in cache.redis.sync_client().scan_iter(match=cache.entry_pattern())
    ]
    if backend == "embedded":
        assert estimate["bytes"] == sum(sizes)
    else:
        assert estimate["bytes"] > sum(sizes)  # MEMORY USAGE adds Redis's own overhead


def test_api_key_budgets_are_edited_in_the_admin(staff_client: Client) -> None:
    key, _ = ApiKey.create_key("ci")
    url = reverse("admin:optimizer_apikey_change", args=[key.pk])
    form = {"name": "ci", "daily_budget_usd": "2.5", "monthly_budget_usd": "0"}
    assert staff_client.post(url, form).status_code == 302
    key.refresh_from_db()
    assert (key.daily_budget_usd, key.monthly_budget_usd) == (Decimal("2.5"), Decimal(0))
    # Empty: back to the site's default.
    assert staff_client.post(url, {"name": "ci", "daily_budget_usd": ""}).status_code == 302
    key.refresh_from_db()
    assert key.daily_budget_usd is None and key.monthly_budget_usd is None


def test_a_new_api_key_keeps_its_budgets(staff_client: Client) -> None:
    form = {"name": "partner", "daily_budget_usd": "1", "monthly_budget_usd": "20"}
    assert staff_client.post(reverse("admin:optimizer_apikey_add"), form).status_code == 302
    key = ApiKey.objects.get(name="partner")
    assert (key.daily_budget_usd, key.monthly_budget_usd) == (Decimal(1), Decimal(20))


@pytest.mark.parametrize("field", ["daily_budget_usd", "monthly_budget_usd"])
def test_a_negative_budget_is_refused_by_the_form(staff_client: Client, field: str) -> None:
    key, _ = ApiKey.create_key("ci")
    url = reverse("admin:optimizer_apikey_change", args=[key.pk])
    response = staff_client.post(url, {"name": "ci", field: "-1"})
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    key.refresh_from_db()
    assert getattr(key, field) is None


def test_api_key_list_and_page_show_spend_and_limits(
    staff_client: Client, backend: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optimizer import redis_client
    from optimizer.llm import budget

    settings.API_KEY_DAILY_BUDGET_USD = 5.0
    spender, _ = ApiKey.create_key("spender", monthly_budget_usd=Decimal(50))
    idle, _ = ApiKey.create_key("idle", daily_budget_usd=Decimal(0))
    redis = redis_client.connection().sync_client()
    redis.set(budget.counter_key(f"key:{spender.pk}", budget.DAILY), 1_234_500)
    redis.set(budget.counter_key(f"key:{spender.pk}", budget.MONTHLY), 9_876_500)
    reads: list[list[int]] = []
    real = budget.spend_of_keys
    monkeypatch.setattr(budget, "spend_of_keys", lambda ids: reads.append(ids) or real(ids))

    html = staff_client.get(reverse("admin:optimizer_apikey_changelist")).content.decode()
    assert "$1.2345 of $5" in html and "$9.8765 of $50" in html
    assert "$0.0000 (no limit)" in html  # idle: 0 = no daily limit for this key
    assert "$0.0000 of $5" not in html
    assert len(reads) == 1 and sorted(reads[0]) == sorted([spender.pk, idle.pk])

    page = staff_client.get(reverse("admin:optimizer_apikey_change", args=[spender.pk]))
    assert "$1.2345 of $5" in page.content.decode() and "$9.8765 of $50" in page.content.decode()
    assert len(reads) == 2


def test_api_key_list_says_when_spend_is_unreadable(
    staff_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optimizer.llm import budget

    ApiKey.create_key("ci")
    monkeypatch.setattr(budget, "spend_of_keys", lambda ids: None)
    html = staff_client.get(reverse("admin:optimizer_apikey_changelist")).content.decode()
    assert "unknown (Redis unreadable)" in html


def test_the_owner_column_names_an_account_and_resumes_are_listed(staff_client: Client) -> None:
    user = User.objects.create_user("jane@example.com", "jane@example.com", "pw")
    make_optimization(user=user, session_key="abcdef1234567890", source="page")
    Resume.objects.create(name="Backend base", text="Jane Doe", user=user)
    html = staff_client.get(reverse("admin:optimizer_optimization_changelist")).content.decode()
    assert "user jane@example.com" in html
    html = staff_client.get(reverse("admin:optimizer_resume_changelist")).content.decode()
    assert "Backend base" in html and "user jane@example.com" in html
    Application.objects.create(optimization=Optimization.objects.get(), status="interviewing")
    html = staff_client.get(reverse("admin:optimizer_application_changelist")).content.decode()
    assert "Interviewing" in html and "user jane@example.com" in html
