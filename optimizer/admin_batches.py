"""Admin for batches (one resume, several jobs): read-only, with each item's status and match,
and the Message Batch's id for looking it up in Anthropic's console."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from optimizer.models import Batch


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "source", "item_count", "deferred", "upstream_status")
    list_filter = ("source", "deferred", "upstream_status")
    search_fields = ("=id", "upstream_id")
    readonly_fields = (
        "created_at",
        "source",
        "session_key",
        "api_key",
        "resume_filename",
        "deferred",
        "upstream_id",
        "upstream_status",
        "upstream_checked_at",
        "items_table",
    )
    exclude = ("id",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Batch]:
        queryset: QuerySet[Batch] = super().get_queryset(request)
        return queryset.annotate(_items=Count("items"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # batches come from the page and the API, never from here

    def has_change_permission(self, request: HttpRequest, obj: Batch | None = None) -> bool:
        return False

    @admin.display(description="items", ordering="_items")
    def item_count(self, batch: Batch) -> int:
        return int(getattr(batch, "_items", 0))

    @admin.display(description="items")
    def items_table(self, batch: Batch) -> str:
        rows = [
            (
                reverse("admin:optimizer_optimization_change", args=[item.pk]),
                item.job_title,
                item.get_status_display(),
                f"{item.score['before']} → {item.score['after']}" if item.score else "–",
                item.cost_usd if item.cost_usd is not None else "–",
            )
            for item in batch.items.order_by("batch_position")
        ]
        body = format_html_join(
            "", "<tr><td><a href='{}'>{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
        )
        return format_html(
            "<table><tr><th>job</th><th>status</th><th>match</th><th>cost (USD)</th></tr>{}"
            "</table>",
            body,
        )
