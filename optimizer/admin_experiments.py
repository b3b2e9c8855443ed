"""Admin for prompt versions and experiments; an experiment's page shows its comparison.

Registered from optimizer/admin.py. The assignment and the comparison are in
optimizer/experiments.py, the statistics in optimizer/analysis/ab.py.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse

from optimizer import experiments, replay
from optimizer.analysis import ab
from optimizer.llm.prompts import template_errors
from optimizer.models import Experiment, ExperimentVariant, Optimization, PromptVersion

# Below this many variants an experiment compares nothing.
MIN_VARIANTS = 2
# The replay action runs in the admin request: a handful of stored requests, not a batch job.
REPLAY_ADMIN_MAX = 5


class PromptVersionForm(forms.ModelForm):
    class Meta:
        model = PromptVersion
        fields = ("name", "system_prompt", "template", "active")

    def clean_template(self) -> str:
        template: str = self.cleaned_data["template"]
        if errors := template_errors(template):
            raise ValidationError(errors)
        return template

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        # A version's results are the results of its text: changed text would mix two prompts
        # in one line of the comparison.
        text_changed = {"system_prompt", "template"} & set(self.changed_data)
        if self.instance.pk and text_changed:
            used = Optimization.objects.filter(prompt_version=self.instance).count()
            if used:
                raise ValidationError(
                    f"{self.instance} already has {used} result(s): its text cannot change. "
                    "Add a new prompt version instead."
                )
        return cleaned


@admin.register(PromptVersion)
class PromptVersionAdmin(admin.ModelAdmin):
    form = PromptVersionForm
    list_display = ("version", "name", "active", "builtin", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "system_prompt", "template")

    @admin.display(description="Version", ordering="id")
    def version(self, obj: PromptVersion) -> str:
        return f"v{obj.pk}"

    def get_readonly_fields(self, request: HttpRequest, obj: PromptVersion | None = None) -> Any:
        # The built-in prompt's text is the code's (optimizer/llm/prompts.py); its row is a copy.
        if obj is not None and obj.builtin:
            return ("system_prompt", "template", "created_at")
        return ("created_at",)

    def has_delete_permission(self, request: HttpRequest, obj: PromptVersion | None = None) -> bool:
        if obj is not None and obj.builtin:
            return False
        return super().has_delete_permission(request, obj)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        experiments.builtin_version()  # version 1 is always there, with the code's text
        return super().changelist_view(request, extra_context)


class VariantFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(kept) < MIN_VARIANTS:
            raise ValidationError(f"An experiment needs at least {MIN_VARIANTS} prompt versions.")
        if sum(data.get("weight") or 0 for data in kept) <= 0:
            raise ValidationError("At least one variant needs a weight above 0.")
        if self.instance.active:
            inactive = [
                str(data["prompt"])
                for data in kept
                if data.get("prompt") and not data["prompt"].active and data.get("weight")
            ]
            if inactive:
                raise ValidationError(
                    f"Inactive prompt versions cannot get traffic: {', '.join(inactive)} "
                    "(activate them, or give them weight 0)."
                )


class VariantInline(admin.TabularInline):
    model = ExperimentVariant
    formset = VariantFormSet
    extra = 2
    min_num = 0  # counted in VariantFormSet.clean, with a clearer message


class ExperimentForm(forms.ModelForm):
    class Meta:
        model = Experiment
        fields = ("name", "active")

    def clean_active(self) -> bool:
        active: bool = self.cleaned_data["active"]
        others = Experiment.objects.filter(active=True).exclude(pk=self.instance.pk)
        if active and (other := others.first()) is not None:
            raise ValidationError(
                f"“{other}” is already running: one experiment runs at a time. Stop it first."
            )
        return active


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    form = ExperimentForm
    inlines = (VariantInline,)
    list_display = ("name", "active", "created_at", "variant_list", "results")
    list_filter = ("active",)
    change_form_template = "admin/optimizer/experiment/change_form.html"
    actions = ("replay_recent",)

    @admin.action(
        description=f"Replay the {REPLAY_ADMIN_MAX} most recent requests through every variant",
        permissions=["change"],
    )
    def replay_recent(self, request: HttpRequest, queryset: QuerySet[Experiment]) -> None:
        """A few replays from here (they run in this request, like the warming action); more
        with `manage.py replay_experiment` (optimizer/replay.py)."""
        if queryset.count() != 1:
            self.message_user(request, "Select one experiment to replay.", messages.ERROR)
            return
        experiment = queryset.get()
        try:
            variants = replay.variants_of(experiment)
            requests = replay.stored_requests(REPLAY_ADMIN_MAX)
        except replay.ReplayError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        if not requests:
            self.message_user(request, "No stored requests to replay yet.", messages.ERROR)
            return
        report = async_to_sync(replay.replay)(experiment.pk, variants, requests)
        text = report.message(f"Replayed {report.warmed} of {report.total} for “{experiment}”")
        self.message_user(request, text, messages.WARNING if report.troubled else messages.SUCCESS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Experiment]:
        # The list's columns for every row in the page's query, not two queries a row.
        variants = Prefetch("variants", ExperimentVariant.objects.select_related("prompt"))
        queryset: QuerySet[Experiment] = super().get_queryset(request)
        return queryset.annotate(result_count=Count("results")).prefetch_related(variants)

    @admin.display(description="Variants")
    def variant_list(self, obj: Experiment) -> str:
        return ", ".join(str(v) for v in obj.variants.all())

    @admin.display(description="Results", ordering="result_count")
    def results(self, obj: Experiment) -> int:
        return int(getattr(obj, "result_count", 0))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        experiment = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if experiment is not None:
            context["comparison"] = comparison_table(experiment)
        return super().change_view(request, object_id, form_url, context)


def _shown(kind: str, field: str, value: float, difference: bool = False) -> str:
    """A value as the table shows it; a difference signed, a proportion's in points (pp)."""
    sign = "+" if difference else ""
    if kind == "proportion":
        return f"{value * 100:{sign}.1f} pp" if difference else f"{value * 100:.1f}%"
    if field == "cost_usd":
        return f"${value:{sign}.6f}"
    return f"{value:{sign}.1f}"


def _interval(kind: str, field: str, low: float, high: float, difference: bool = False) -> str:
    return f"[{_shown(kind, field, low, difference)}, {_shown(kind, field, high, difference)}]"


def comparison_table(experiment: Experiment) -> dict[str, Any]:
    """The comparison, formatted for the change page's table."""
    found = experiments.compare(experiment)
    rows = []
    for measure, cells in found.measures:
        lines = []
        for index, cell in enumerate(cells):
            estimate, difference = cell.estimate, cell.difference
            kind, field = measure.kind, measure.field
            lines.append(
                {
                    "variant": cell.variant,
                    "n": estimate.n if estimate else 0,
                    "value": _shown(kind, field, estimate.value) if estimate else "–",
                    "interval": (
                        _interval(kind, field, estimate.low, estimate.high)
                        if estimate and estimate.n > 1
                        else ""
                    ),
                    "difference": (
                        "control"
                        if index == 0
                        else _shown(kind, field, difference.value, True)
                        if difference
                        else "–"
                    ),
                    "difference_interval": (
                        _interval(kind, field, difference.low, difference.high, True)
                        if difference
                        else ""
                    ),
                    "verdict": cell.verdict,
                }
            )
        rows.append({"label": measure.label, "lines": lines})
    return {
        "control": found.control,
        "variants": found.variants,
        "rows": rows,
        "minimum": ab.MIN_RESULTS,
    }
