"""Offline (no API key) resume optimization."""

from __future__ import annotations

from .engine import OFFLINE_MODEL_NAME, extract_job_keywords, optimize_offline

__all__ = ["OFFLINE_MODEL_NAME", "extract_job_keywords", "optimize_offline"]
