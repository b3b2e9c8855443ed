"""Admin for generation records and API keys. The cache pages live in optimizer/admin_cache.py."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from optimizer.llm import budget
from optimizer.models import ApiKey, Application, Optimization, Resume

# Where the raw key waits between "save" and the one page that shows it.
RAW_KEY_SESSION = "admin_new_api_key"
# The "warm the cache" action runs in the admin request: a handful at a time, not a batch job.
WARM_ADMIN_MAX = 20
# Where a listed API key carries its spend, read for the whole page at once.
SPEND_ATTRIBUTE = "_budget_spend"


def _pre(value: Any) -> str:
    """Text or JSON in a <pre>, escaped."""
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    return format_html('<pre class="admin-pre">{}</pre>', text)


# The change page's sections, (title, field names): every field is read-only.
_OPTIMIZATION_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Outcome", ("status", "job_title", "error_code", "error_message")),
    ("Inputs", ("kind", "tone", "parent", "resume_filename", "resume", "job")),
    ("Output", ("optimized_resume", "result_json", "warnings_json")),
    (
        "Usage",
        (
            "model",
            "provider",
            "input_tokens",
            "output_tokens",
            "cost_usd",
            "cached",
            "attempts",
            "cache_key",
        ),
    ),
    (
        "Timings",
        ("created_at", "started_at", "finished_at", "latency", "first_chunk", "timings_json"),
    ),
    ("Owner", ("source", "owner", "user", "session_key", "api_key", "base_resume")),
    # Prompt experiments (docs/experiments.md): what made it, and what the user did with it.
    ("Prompt", ("prompt_version", "experiment", "replay", "revert_count", "download_count")),
)


def _owner_label(obj: Optimization) -> str:
    if obj.api_key_id is not None and obj.api_key is not None:
        return f"API key: {obj.api_key.name}"
    if obj.user is not None:
        return f"user {obj.user.get_username()}"
    if obj.session_key:
        return f"session {obj.session_key[:8]}…"
    return "-"


@admin.register(Optimization)
class OptimizationAdmin(admin.ModelAdmin):
    """Read-only: a record is history. Viewing and (with the permission) deleting only."""

    list_display = (
        "created_at",
        "status",
        "provider",
        "model",
        "input_tokens",
        "output_tokens",
        "cost",
        "cached",
        "latency",
        "first_chunk",
        "warning_count",
        "owner",
    )
    list_filter = (
        "status",
        "kind",
        "cached",
        "provider",
        "model",
        "replay",
        "experiment",
        "created_at",
    )
    search_fields = ("job_description",)
    list_select_related = ("api_key", "user")
    list_per_page = 50
    actions = ["warm_cache"]
    fieldsets = tuple((title, {"fields": names}) for title, names in _OPTIMIZATION_FIELDS)
    readonly_fields = tuple(name for _, names in _OPTIMIZATION_FIELDS for name in names)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Warm the cache: re-run these records' requests now")
    def warm_cache(self, request: HttpRequest, queryset: Any) -> None:
        """Regenerate the selected records' requests into the cache (optimizer/warming.py), on
        the same pipeline and within the daily budgets, e.g. the most requested ones before
        their entries expire. Runs in this request, so at most WARM_ADMIN_MAX at a time; a
        bigger set is for `manage.py warm_cache`."""
        from asgiref.sync import async_to_sync

        from optimizer import warming
        from optimizer.services import OptimizeRequest

        if queryset.count() > WARM_ADMIN_MAX:
            self.message_user(
                request,
                f"Select at most {WARM_ADMIN_MAX} records to warm from here; for more, use "
                "`python manage.py warm_cache FILE`.",
                messages.ERROR,
            )
            return
        # Identical inputs are one cache entry: warm each once.
        inputs = dict.fromkeys(queryset.values_list("resume_text", "job_description"))
        requests = [OptimizeRequest(resume, job) for resume, job in inputs]
        report = async_to_sync(warming.warm)(requests, concurrency=2, refresh=True)
        text = report.message(f"Warmed {report.warmed} of {len(requests)} request(s)")
        self.message_user(request, text, messages.WARNING if report.troubled else messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Cost (USD)", ordering="cost_usd")
    def cost(self, obj: Optimization) -> str:
        return "-" if obj.cost_usd is None else f"${obj.cost_usd:.4f}"

    @admin.display(description="Latency (ms)", ordering="latency_ms")
    def latency(self, obj: Optimization) -> str:
        return "-" if obj.latency_ms is None else f"{obj.latency_ms:,.0f}"

    @admin.display(description="First chunk (ms)", ordering="first_chunk_ms")
    def first_chunk(self, obj: Optimization) -> str:
        return "-" if obj.first_chunk_ms is None else f"{obj.first_chunk_ms:,.0f}"

    @admin.display(description="Warnings")
    def warning_count(self, obj: Optimization) -> int:
        return obj.warning_count

    @admin.display(description="Owner")
    def owner(self, obj: Optimization) -> str:
        return _owner_label(obj)

    @admin.display(description="Resume")
    def resume(self, obj: Optimization) -> str:
        return _pre(obj.resume_text)

    @admin.display(description="Job description")
    def job(self, obj: Optimization) -> str:
        return _pre(obj.job_description)

    @admin.display(description="Optimized resume")
    def optimized_resume(self, obj: Optimization) -> str:
        result = obj.result or {}
        # A letter's text is in "text" (services.LetterResult).
        return _pre(str(result.get("optimized_resume") or result.get("text") or ""))

    @admin.display(description="Result (JSON)")
    def result_json(self, obj: Optimization) -> str:
        return _pre(obj.result)

    @admin.display(description="Warnings")
    def warnings_json(self, obj: Optimization) -> str:
        return _pre(obj.warnings)

    @admin.display(description="Event timings")
    def timings_json(self, obj: Optimization) -> str:
        return _pre(obj.timings)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        # Totals of the filtered list (search and filters applied), in one query.
        context = getattr(response, "context_data", None)
        if isinstance(response, TemplateResponse) and context and "cl" in context:
            queryset: QuerySet[Optimization] = context["cl"].queryset
            totals = queryset.order_by().aggregate(
                records=Count("pk"),
                cost=Sum("cost_usd"),
                input_tokens=Sum("input_tokens"),
                output_tokens=Sum("output_tokens"),
            )
            totals["cost"] = totals["cost"] or Decimal(0)
            context["totals"] = totals
        return response


class KeyStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Create, rename, revoke. The raw key is shown once, on the page right after saving."""

    list_display = (
        "name",
        "prefix",
        "is_admin",
        "created_at",
        "last_used_at",
        "request_count",
        "spend_today",
        "spend_this_month",
        "state",
    )
    list_filter = (KeyStateFilter, "is_admin")
    search_fields = ("name", "prefix")
    actions = ("revoke",)
    # key_hash is never shown or editable; prefix identifies a key without revealing it.
    readonly_fields = (
        "prefix",
        "created_at",
        "last_used_at",
        "request_count",
        "revoked_at",
        "spend_today",
        "spend_this_month",
    )

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        budgets = ("daily_budget_usd", "monthly_budget_usd")
        if obj is None:
            return ("name", "is_admin", *budgets)
        return ("name", "is_admin", *budgets, *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return () if obj is None else self.readonly_fields

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        # The page's keys' spend from Redis in one round trip, before the rows are rendered
        # (the template iterates the same, already evaluated, list of keys).
        context = getattr(response, "context_data", None)
        if isinstance(response, TemplateResponse) and context and "cl" in context:
            keys = list(context["cl"].result_list)
            spends = budget.spend_of_keys([key.pk for key in keys])
            for key in keys:
                setattr(key, SPEND_ATTRIBUTE, None if spends is None else spends.get(key.pk))
        return response

    def _spend(self, obj: ApiKey) -> budget.Spend | None:
        if not hasattr(obj, SPEND_ATTRIBUTE):  # the change page: this key alone
            spends = budget.spend_of_keys([obj.pk])
            setattr(obj, SPEND_ATTRIBUTE, None if spends is None else spends.get(obj.pk))
        spend: budget.Spend | None = getattr(obj, SPEND_ATTRIBUTE)
        return spend

    @staticmethod
    def _of(spent: float, limit: float) -> str:
        return f"${spent:.4f} of ${limit:g}" if limit > 0 else f"${spent:.4f} (no limit)"

    @admin.display(description="Spent today (UTC)")
    def spend_today(self, obj: ApiKey) -> str:
        spend = self._spend(obj)
        return (
            "unknown (Redis unreadable)"
            if spend is None
            else self._of(spend.today_usd, obj.daily_limit_usd)
        )

    @admin.display(description="Spent this month (UTC)")
    def spend_this_month(self, obj: ApiKey) -> str:
        spend = self._spend(obj)
        return (
            "unknown (Redis unreadable)"
            if spend is None
            else self._of(spend.month_usd, obj.monthly_limit_usd)
        )

    @admin.display(description="State", ordering="revoked_at")
    def state(self, obj: ApiKey) -> str:
        if obj.revoked_at is None:
            return "active"
        return f"revoked {obj.revoked_at:%Y-%m-%d %H:%M}"

    @admin.action(description="Revoke the selected API keys", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} API key(s).", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        record, raw = ApiKey.create_key(
            obj.name,
            is_admin=obj.is_admin,
            daily_budget_usd=obj.daily_budget_usd,
            monthly_budget_usd=obj.monthly_budget_usd,
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved row.
        obj.pk, obj.prefix, obj.key_hash = record.pk, record.prefix, record.key_hash
        obj.created_at = record.created_at
        obj._state.adding, obj._state.db = False, record._state.db
        # Kept in the session only until the next page pops it (never in a cookie or a log).
        request.session[RAW_KEY_SESSION] = {"pk": record.pk, "raw": raw}

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        return HttpResponseRedirect(
            reverse(
                "admin:optimizer_apikey_created", args=[obj.pk], current_app=self.admin_site.name
            )
        )

    def get_urls(self) -> list[URLPattern]:
        created = path(
            "<int:pk>/created/",
            self.admin_site.admin_view(self.created_view),
            name="optimizer_apikey_created",
        )
        return [created, *super().get_urls()]

    def created_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Shows the raw key of a key just created, once: the session value is popped."""
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        key = get_object_or_404(ApiKey, pk=pk)
        stashed = request.session.get(RAW_KEY_SESSION)
        raw = None
        if isinstance(stashed, dict) and stashed.get("pk") == key.pk:
            raw = request.session.pop(RAW_KEY_SESSION)["raw"]
        context = {
            **self.admin_site.each_context(request),
            "title": f"API key “{key.name}” created" if raw else f"API key “{key.name}”",
            "opts": self.model._meta,
            "key": key,
            "raw_key": raw,
        }
        return render(request, "admin/optimizer/apikey/created.html", context)


@admin.register(Resume)
class ResumeAdmin(admin.ModelAdmin):
    """Base resumes (personal data): staff read them for support; the owner edits them."""

    list_display = ("name", "owner", "updated_at", "created_at")
    search_fields = ("name", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("id", "user", "session_key", "name", "text", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Owner")
    def owner(self, obj: Resume) -> str:
        if obj.user is not None:
            return f"user {obj.user.get_username()}"
        return f"session {obj.session_key[:8]}…" if obj.session_key else "-"


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Tracker entries (personal data): read-only for staff; the owner edits them."""

    list_display = ("job", "status", "applied_on", "status_changed_at", "owner")
    list_filter = ("status",)
    search_fields = ("optimization__job_description", "note")
    list_select_related = ("optimization", "optimization__user", "optimization__api_key")
    readonly_fields = (
        "id",
        "optimization",
        "letter",
        "status",
        "applied_on",
        "interview_on",
        "outcome_on",
        "note",
        "status_changed_at",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Job")
    def job(self, obj: Application) -> str:
        return obj.optimization.job_title

    @admin.display(description="Owner")
    def owner(self, obj: Application) -> str:
        return _owner_label(obj.optimization)


# Prompt versions and experiments, and batches: their own modules, registered on the same site.
from optimizer import admin_batches, admin_experiments  # noqa: E402, F401
