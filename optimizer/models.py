from __future__ import annotations

import hashlib
import secrets
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from optimizer.job_posting import parse_job_posting

TITLE_MAX_CHARS = 120


class Optimization(models.Model):
    """One generation: its inputs, what happened, and what it cost."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        # A batch item sent to Anthropic's Message Batches API: nothing runs here until its
        # answer comes back (optimizer/batches.py); a viewer waits instead of starting it.
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        PAGE = "page", "Web page"
        API = "api", "API"

    class Kind(models.TextChoices):
        # What was written: the tailored resume, or a letter for the same job (issue 16, item 1).
        RESUME = "resume", "Resume"
        COVER_LETTER = "cover_letter", "Cover letter"
        OUTREACH = "outreach", "Outreach note"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    # Owner: the signed-in user, else the browser session that created it, or the API key
    # (optimizer/accounts.py decides). A signed-in user's rows keep the session key too: the
    # page's daily budget and the experiments' assignment are per browser session.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # a deleted account takes its personal data with it
        related_name="optimizations",
    )
    session_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    api_key = models.ForeignKey(
        "ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="optimizations"
    )

    resume_text = models.TextField()
    job_description = models.TextField()
    resume_filename = models.CharField(max_length=255, blank=True, default="")
    # The language the rewrite was asked for ("" = the resume's own; prompts.OUTPUT_LANGUAGES).
    output_language = models.CharField(max_length=8, blank=True, default="")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RESUME)
    # A letter's tone (prompts.TONES); "" for a resume.
    tone = models.CharField(max_length=12, blank=True, default="")
    # The resume optimization a letter was written from (its inputs were copied from it; the
    # letter stays when that one is deleted).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    # The review: the text the user settled on (edited in place, claims removed, passages
    # reverted), the flagged claims they confirmed as true, the changed passages they accepted,
    # and when they last changed it. The model's rewrite stays in
    # result["optimized_resume"]; edited_at None means "not edited".
    edited_resume = models.TextField(blank=True, default="")
    confirmed_claims = models.JSONField(default=list, blank=True)
    accepted_passages = models.JSONField(default=list, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # The name the user gave it in their history; empty: the job description's title.
    title = models.CharField(max_length=TITLE_MAX_CHARS, blank=True, default="")
    # What the user did with it, counted for the prompt experiments' comparison
    # (optimizer/experiments.py): reverts on the review page (all, or one passage), downloads.
    revert_count = models.PositiveIntegerField(default=0)
    download_count = models.PositiveIntegerField(default=0)

    # The prompt it was generated with and the experiment that chose it (both empty: the
    # built-in prompt with no experiment running); replay: made by `replay_experiment` from a
    # past request, not asked for by anyone.
    prompt_version = models.ForeignKey(
        "PromptVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    experiment = models.ForeignKey(
        "Experiment", null=True, blank=True, on_delete=models.SET_NULL, related_name="results"
    )
    replay = models.BooleanField(default=False)
    # The base resume this version was tailored from (issue 16, item 4); empty: pasted or
    # uploaded without one. A version started from another version keeps the same base.
    base_resume = models.ForeignKey(
        "Resume", null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )
    # The batch it is one item of (one resume, several jobs: optimizer/batches.py), and where.
    batch = models.ForeignKey(
        "Batch", null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    batch_position = models.PositiveSmallIntegerField(null=True, blank=True)

    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    cache_key = models.CharField(max_length=80, blank=True, default="")
    result = models.JSONField(null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")

    model = models.CharField(max_length=100, blank=True, default="", db_index=True)
    provider = models.CharField(max_length=20, blank=True, default="")
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    cached = models.BooleanField(default=False, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    latency_ms = models.FloatField(null=True, blank=True)
    first_chunk_ms = models.FloatField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["session_key", "-created_at"]),
            models.Index(fields=["user", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.job_title} ({self.get_status_display()})"

    @property
    def job_title(self) -> str:
        """The job's title from its description ("Data Engineer at Globex": "Data Engineer"),
        else the description's first non-empty line."""
        if title := parse_job_posting(self.job_description).title:
            return title
        for line in self.job_description.splitlines():
            line = line.strip(" \t-*#:")
            if line:
                return line[:80]
        return "Untitled job"

    @property
    def display_title(self) -> str:
        """What the history and the result page call it: the user's name for it, else the job's."""
        return self.title or self.job_title

    @property
    def company(self) -> str:
        """The company the job description names, or ""."""
        return parse_job_posting(self.job_description).company

    @property
    def score(self) -> dict[str, Any] | None:
        """The job match before and after ({"before", "after", "delta"}), once there is one."""
        score = (self.result or {}).get("ats_score")
        return score if isinstance(score, dict) and "after" in score else None

    @property
    def is_letter(self) -> bool:
        return self.kind != self.Kind.RESUME

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def warning_count(self) -> int:
        return len(self.warnings or [])


RESUME_NAME_MAX_CHARS = 120


class Resume(models.Model):
    """A person's base resume: the text they tailor versions from (Optimization.base_resume).

    Owned like an Optimization (optimizer/accounts.py): a user, else a browser session.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resumes",
    )
    session_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    name = models.CharField(max_length=RESUME_NAME_MAX_CHARS)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name


APPLICATION_NOTE_MAX_CHARS = 5000


class Application(models.Model):
    """A tailored version sent (or about to be sent) to the job it was made for: the tracker's
    card (issue 16, item 5). Owned through its version (optimizer/accounts.py, via
    "optimization__"): the version's owner is the application's."""

    class Status(models.TextChoices):
        # The board's columns, in this order.
        SAVED = "saved", "Saved"
        APPLIED = "applied", "Applied"
        INTERVIEWING = "interviewing", "Interviewing"
        OFFER = "offer", "Offer"
        REJECTED = "rejected", "Rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    optimization = models.OneToOneField(
        Optimization, on_delete=models.CASCADE, related_name="application"
    )
    # The letter sent with it: one of the version's letters (checked by the tracker's form).
    letter = models.ForeignKey(
        Optimization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SAVED)
    applied_on = models.DateField(null=True, blank=True)
    interview_on = models.DateField(null=True, blank=True)
    # When the offer or the rejection came.
    outcome_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-status_changed_at"]

    def __str__(self) -> str:
        return f"{self.optimization.job_title} ({self.get_status_display()})"


class Batch(models.Model):
    """One resume optimized for several jobs: each item is an ordinary Optimization (a job).

    deferred: the owner does not need the results now; with ANTHROPIC_BATCH the items go to
    Anthropic's Message Batches API (half price, within a day) instead of one call each.
    """

    class UpstreamStatus(models.TextChoices):
        NONE = "", "Not sent"  # items run as ordinary jobs
        IN_PROGRESS = "in_progress", "In progress"
        ENDED = "ended", "Ended"  # its results were read and every item recorded

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(
        max_length=8, choices=Optimization.Source.choices, default=Optimization.Source.API
    )
    # Owned like its items (optimizer/accounts.py): a user, else a browser session; or a key.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="batches",
    )
    session_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    api_key = models.ForeignKey(
        "ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="batches"
    )
    resume_filename = models.CharField(max_length=255, blank=True, default="")
    deferred = models.BooleanField(default=False)
    # Anthropic's id of the Message Batch (msgbatch_...) and what we know of it.
    upstream_id = models.CharField(max_length=100, blank=True, default="", db_index=True)
    upstream_status = models.CharField(
        max_length=16, choices=UpstreamStatus.choices, blank=True, default=""
    )
    upstream_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return f"Batch {self.pk}"


def hash_api_key(raw_key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is safe and keeps lookups O(1).
    return hashlib.sha256(raw_key.encode()).hexdigest()


def key_limit_usd(own: Decimal | float | None, default: float) -> float:
    """An API key's budget: its own (set in the admin; 0 = no limit), else the default."""
    return float(default if own is None else own)


class ApiKey(models.Model):
    """A key for the JSON API. Only its SHA-256 is stored; the raw key is shown once."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    request_count = models.PositiveBigIntegerField(default=0)
    # This key's own LLM budgets in USD (optimizer/llm/budget.py): empty = the site's default
    # (API_KEY_DAILY_BUDGET_USD, API_KEY_MONTHLY_BUDGET_USD), 0 = no limit for this key.
    daily_budget_usd = models.DecimalField(
        "daily budget (USD)",
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Empty: API_KEY_DAILY_BUDGET_USD. 0: no daily limit for this key.",
    )
    monthly_budget_usd = models.DecimalField(
        "monthly budget (USD)",
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Empty: API_KEY_MONTHLY_BUDGET_USD. 0: no monthly limit for this key.",
    )

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def daily_limit_usd(self) -> float:
        """This key's daily budget: its own, else the site's default (0 = no limit)."""
        return key_limit_usd(self.daily_budget_usd, settings.API_KEY_DAILY_BUDGET_USD)

    @property
    def monthly_limit_usd(self) -> float:
        """This key's monthly budget: its own, else the site's default (0 = no limit)."""
        return key_limit_usd(self.monthly_budget_usd, settings.API_KEY_MONTHLY_BUDGET_USD)

    @classmethod
    def create_key(cls, name: str, *, is_admin: bool = False, **extra: Any) -> tuple[ApiKey, str]:
        """Create a key; returns (record, raw key). The raw key is not stored anywhere."""
        raw = "ats_" + secrets.token_urlsafe(32)
        key = cls.objects.create(
            name=name, prefix=raw[:12], key_hash=hash_api_key(raw), is_admin=is_admin, **extra
        )
        return key, raw


class PromptVersion(models.Model):
    """A system prompt and a user-turn template that generations can be run with.

    The built-in one (builtin=True, created as version 1) follows the code's SYSTEM_PROMPT and
    PROMPT_TEMPLATE (optimizer/llm/prompts.py): its stored text is only a copy for the admin.
    """

    name = models.CharField(max_length=100, unique=True)
    system_prompt = models.TextField()
    template = models.TextField(
        help_text="The user turn. Must contain {resume} and {job_description}; no other "
        "{placeholders}."
    )
    # Inactive: kept for the records that used it, but no experiment sends it new requests.
    active = models.BooleanField(default=True)
    builtin = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"v{self.pk} {self.name}"


class Experiment(models.Model):
    """New generations split between prompt versions by weight (optimizer/experiments.py)."""

    name = models.CharField(max_length=100, unique=True)
    # One experiment runs at a time (the admin form refuses a second active one).
    active = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ExperimentVariant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    # PROTECT: a prompt that an experiment compares cannot vanish from under its records.
    prompt = models.ForeignKey(PromptVersion, on_delete=models.PROTECT, related_name="variants")
    # Relative share of new requests: weights 1 and 3 send a quarter to the first.
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "prompt"], name="one_variant_per_prompt")
        ]

    def __str__(self) -> str:
        return f"{self.prompt} x{self.weight}"
