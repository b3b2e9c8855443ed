"""The OpenAPI 3.1 document of /api/v1 (served at /api/v1/openapi.json), derived from the code.

From the code: the paths and path parameters (optimizer/api_urls.py), the request bodies (the
forms the views validate with, their limits read from settings), the error shape
(decorators.error) and the error codes of api.py's tables. Written here: the summaries, the
response bodies and which statuses each operation answers; tests/test_openapi.py produces every
documented status and media type against the views, so drift fails a test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.urls import converters, reverse
from django.urls.resolvers import RoutePattern

from optimizer.decorators import error
from optimizer.documents.export import PAGE_SIZES
from optimizer.downloads import FORMATS
from optimizer.forms import (
    UPLOAD_EXTENSIONS,
    JobKindForm,
    LetterOptionsForm,
    OptimizeForm,
    PageOptimizeForm,
)
from optimizer.health import VERSION
from optimizer.llm.cache_control import ERROR_CODE as CACHE_CONTROL_ERROR
from optimizer.llm.cache_control import MAX_TTL_SECONDS
from optimizer.llm.prompts import OUTPUT_LANGUAGES
from optimizer.models import Optimization

JSON = "application/json"
MULTIPART = "multipart/form-data"
SSE = "text/event-stream"
# The catch-all route: any other path under /api/v1/ is a JSON 404 (see info.description).
CATCH_ALL = "api-not-found"

# Codes a resume file can fail with that api.optimize_request passes through unmapped
# (Django's FileField "invalid", forms.read_resume_file and optimizer.documents' DocumentError).
# file_too_large is not here: it is a 413.
FILE_ERROR_CODES = (
    "invalid",
    "unsupported_type",
    "empty_file",
    "content_mismatch",
    "corrupt_file",
    "encrypted_pdf",
    "no_text",
    "too_many_pages",
    "zip_bomb",
)
KEY_ERROR_CODES = ("missing_api_key", "invalid_api_key")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}, **extra}


def _error(description: str, codes: Iterable[str] | None, **extra: Any) -> dict[str, Any]:
    """An error response; with codes, the only values error.code takes for it."""
    if codes is None:
        return _json(_ref("Error"), description, **extra)
    listed = sorted(set(codes))
    only = {"properties": {"error": {"properties": {"code": {"enum": listed}}}}}
    text = f"{description}. Codes: {', '.join(listed)}"
    return _json({"allOf": [_ref("Error"), only]}, text, **extra)


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


RETRY_AFTER = {"Retry-After": _header("Seconds to wait before retrying")}
ALLOW = {"Allow": _header("The methods this path accepts")}
WWW_AUTHENTICATE = {"WWW-Authenticate": _header("Bearer")}


# -- derived from the code -----------------------------------------------------------------


def _json_type(value: Any) -> str:
    return {str: "string", int: "integer", type(None): "null"}[type(value)]


def _error_schema() -> dict[str, Any]:
    """The error shape, read off decorators.error itself (with and without a field)."""
    samples = [json.loads(error(400, "code", "message", field).content) for field in ("f", None)]
    (outer,) = samples[0]
    inner: dict[str, set[str]] = {}
    for sample in samples:
        for name, value in sample[outer].items():
            inner.setdefault(name, set()).add(_json_type(value))
    properties = {
        name: {"type": sorted(types) if len(types) > 1 else types.pop()}
        for name, types in inner.items()
    }
    return {
        "type": "object",
        "required": [outer],
        "properties": {
            outer: {"type": "object", "required": list(inner), "properties": properties}
        },
    }


def _limit(value: Any) -> int:
    # forms.InputTextField passes callables so that limits follow the settings.
    return int(value() if callable(value) else value)


def _field_schema(field: forms.Field, name: str = "") -> dict[str, Any]:
    if isinstance(field, forms.FileField):
        kinds = ", ".join(UPLOAD_EXTENSIONS)
        return {
            "type": "string",
            "contentMediaType": "application/octet-stream",
            "description": f"The resume as {kinds}; {settings.UPLOAD_MAX_BYTES} bytes at most",
        }
    if isinstance(field, forms.ChoiceField) and name != "output_language":  # kind, tone
        return {
            "type": "string",
            "enum": [str(value) for value, _label in cast(list[tuple[str, str]], field.choices)],
            "description": _CHOICE_DESCRIPTIONS[name],
        }
    if isinstance(field, forms.ChoiceField):
        return {
            "type": "string",
            "enum": ["", *OUTPUT_LANGUAGES],
            "description": "The language of the rewrite: "
            + ", ".join(f"{code} ({name})" for code, name in OUTPUT_LANGUAGES.items())
            + ". Absent or empty: the resume's own language.",
        }
    schema: dict[str, Any] = {"type": "string"}
    if name == "optimization_id":
        schema["description"] = _CHOICE_DESCRIPTIONS[name]
    for validator in field.validators:
        if isinstance(validator, MinLengthValidator):
            schema["minLength"] = _limit(validator.limit_value)
        elif isinstance(validator, MaxLengthValidator):
            schema["maxLength"] = _limit(validator.limit_value)
    schema.setdefault(
        "description", "Plain text; surrounding whitespace is stripped. No NUL bytes."
    )
    return schema


_CHOICE_DESCRIPTIONS = {
    "kind": "What to write. POST /api/v1/cover-letter: cover_letter (default) or outreach (a "
    "LinkedIn/email note under 120 words). POST /api/v1/jobs: resume (default), cover_letter "
    "or outreach",
    "tone": "A letter's tone: formal (default), warm or concise",
    "optimization_id": "A letter only: the id of one of this key's finished resume "
    "optimizations, whose resume and job description are used instead of "
    "resume_raw_text and job_description_text (send one or the other, not both), and whose "
    "rewrite the letter may take wording from; claims are still checked against the original "
    "resume. Unknown, malformed or another key's: 404 not_found; unfinished: 409 not_finished",
}


def _form_schema(form: forms.Form, description: str) -> dict[str, Any]:
    """A request body schema from the form the views validate it with."""
    return {
        "type": "object",
        "required": [name for name, field in form.fields.items() if field.required],
        "properties": {name: _field_schema(field, name) for name, field in form.fields.items()},
        "additionalProperties": True,
        "description": description,
    }


# How PageOptimizeForm.clean() combines a file and a text (tests/test_openapi.py sends each case).
_UPLOAD_RULES = (
    "multipart/form-data: a resume as resume_raw_text, or as resume_file, or both. The text wins "
    "whenever it is not blank: it is then the resume and is checked as in JSON (a short one is a "
    "400 too_short on resume_raw_text, even with a good file), and the file, though its text is "
    "not used, is still read and its errors answered (e.g. 400 unsupported_type). A blank "
    "resume_raw_text (absent, empty or only whitespace, as an empty textarea sends it) leaves "
    "the file's text as the resume, checked against resume_raw_text's limits with errors on "
    "resume_file. Neither: 400 required on resume_raw_text. Unknown extra fields are ignored."
)


def _upload_schema() -> dict[str, Any]:
    upload = _form_schema(PageOptimizeForm(), _UPLOAD_RULES)
    text = upload["properties"]["resume_raw_text"]
    blank = {"type": "string", "pattern": r"^\s*$", "description": "Blank: the file is used"}
    upload["properties"]["resume_raw_text"] = {"anyOf": [blank, text]}
    return upload


def _request_schemas() -> dict[str, Any]:
    return {
        "GenerateRequest": _with_cache_ttl(
            _form_schema(OptimizeForm(), "Unknown extra fields are ignored.")
        ),
        "GenerateUpload": _with_cache_ttl(_upload_schema()),
        "LetterRequest": _with_cache_ttl(_letter_schema(_form_schema(OptimizeForm(), ""))),
        "LetterUpload": _with_cache_ttl(_letter_schema(_upload_schema())),
        "JobRequest": _letter_schema(_form_schema(OptimizeForm(), ""), JobKindForm()),
        "JobUpload": _letter_schema(_upload_schema(), JobKindForm()),
        "BatchRequest": _batch_request_schema(),
    }


def _batch_request_schema() -> dict[str, Any]:
    """POST /api/v1/batches: one resume (or optimization_id), 1 to BATCH_MAX_JOBS job ads."""
    seed = _form_schema(OptimizeForm(), "")["properties"]
    job = seed["job_description_text"]
    return {
        "type": "object",
        "description": "One resume and up to BATCH_MAX_JOBS job descriptions; each becomes its "
        "own optimization (a job). resume_raw_text, or optimization_id (one of the key's resume "
        "optimizations: its resume is used). Unknown extra fields are ignored.",
        "properties": {
            "resume_raw_text": seed["resume_raw_text"],
            "optimization_id": {"type": "string", "maxLength": 64},
            "job_descriptions": {
                "type": "array",
                "minItems": 1,
                "maxItems": settings.BATCH_MAX_JOBS,
                "items": job,
                "description": "Each checked as job_description_text is; an error names the "
                "item (field job_descriptions[2])",
            },
            "output_language": seed["output_language"],
            "deferred": {
                "type": "boolean",
                "description": "Not needed now: with ANTHROPIC_BATCH (and Claude), the items go "
                "through Anthropic's Message Batches API at half price, answered within 24 hours "
                "(items are queued until then). Otherwise ignored.",
            },
        },
        "required": ["job_descriptions"],
        "anyOf": [{"required": ["resume_raw_text"]}, {"required": ["optimization_id"]}],
    }


def _letter_schema(schema: dict[str, Any], kinds: forms.Form | None = None) -> dict[str, Any]:
    """The seed's request plus a letter's fields: the two texts, or an optimization_id."""
    options = _form_schema(LetterOptionsForm(), "")["properties"]
    if kinds is not None:
        options["kind"] = _field_schema(kinds.fields["kind"], "kind")
    texts = schema.pop("required")
    schema["properties"] = {**schema["properties"], **options}
    schema["anyOf"] = [{"required": texts}, {"required": ["optimization_id"]}]
    schema["description"] = (
        f"{schema['description']} A letter (kind cover_letter or outreach) takes "
        "resume_raw_text and job_description_text, or optimization_id instead."
    ).strip()
    return schema


CACHE_TTL = {
    "type": ["integer", "string"],
    "description": "Keep this answer in the cache this many seconds instead of CACHE_TTL_SECONDS "
    f"(1 to {MAX_TTL_SECONDS}; the same as the X-Cache-TTL header)",
}


def _with_cache_ttl(schema: dict[str, Any]) -> dict[str, Any]:
    schema["properties"]["cache_ttl"] = CACHE_TTL
    return schema


def _path_parameter_schema(name: str, converter: Any) -> dict[str, Any]:
    if name == "fmt":
        return {"type": "string", "enum": list(FORMATS)}
    if isinstance(converter, converters.UUIDConverter):
        return {"type": "string", "format": "uuid"}
    if isinstance(converter, converters.IntConverter):
        return {"type": "integer", "minimum": 0}
    if type(converter) is converters.StringConverter:
        return {"type": "string", "pattern": "^[^/]+$"}
    raise TypeError(f"No schema for the URL converter {converter!r} of <{name}>")


def api_routes() -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """(URL name, OpenAPI path, path parameters) of each route in optimizer/api_urls.py."""
    # Imported here: api_urls imports api, which imports this module.
    from optimizer import api_urls

    prefix = reverse(CATCH_ALL, kwargs={"path": ""})
    for pattern in api_urls.urlpatterns:
        if pattern.name == CATCH_ALL:
            continue
        if not isinstance(pattern.pattern, RoutePattern):
            raise TypeError(f"{pattern.name}: document a re_path route by hand")
        route = str(pattern.pattern)
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": _path_parameter_schema(name, converter),
            }
            for name, converter in pattern.pattern.converters.items()
        ]
        yield str(pattern.name), prefix + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route), parameters


# -- responses -------------------------------------------------------------------------------


def _key_errors(*, admin: bool = False) -> dict[str, Any]:
    responses = {
        "401": _error("Missing or invalid API key", KEY_ERROR_CODES, headers=WWW_AUTHENTICATE),
        "429": _error(
            "Over API_RATE_LIMIT_PER_MINUTE requests this minute for this key",
            ["rate_limited"],
            headers=RETRY_AFTER,
        ),
    }
    if admin:
        responses["403"] = _error("The key is not an admin key", ["forbidden"])
    return responses


def _link_errors(*not_found: str) -> dict[str, Any]:
    """The job URLs: a signed token, or instead the API key that created the job."""
    return {
        **_key_errors(),
        "401": _error(
            "An invalid or expired token, or (without a token) a missing or invalid API key",
            ["invalid_token", "token_expired", *KEY_ERROR_CODES],
        ),
        "404": _error(
            "No such job for this key, or a path parameter that does not match",
            ["job_not_found", "not_found", *not_found],
        ),
    }


def _body_errors(cache_control: bool = False) -> dict[str, Any]:
    # Imported here: api imports this module.
    from optimizer.api import _INPUT_ERROR_CODES

    json_limit = settings.API_MAX_BODY_BYTES
    form_limit = settings.UPLOAD_MAX_BYTES + json_limit
    return {
        "400": _error(
            "Invalid JSON or multipart body, not an object, or a field missing, empty, of the "
            "wrong type, too short, too long, with NUL bytes / unpaired surrogates, an "
            "output_language that is not one of its codes, or a resume_file that cannot be read"
            + (
                ", or a Cache-Control max-age / X-Cache-TTL / cache_ttl that is not a whole "
                "number of seconds in range"
                if cache_control
                else ""
            ),
            [
                "invalid_json",
                "invalid_body",
                *_INPUT_ERROR_CODES.values(),
                *FILE_ERROR_CODES,
                *([CACHE_CONTROL_ERROR] if cache_control else []),
            ],
        ),
        "413": _error(
            f"A JSON body over API_MAX_BODY_BYTES ({json_limit} bytes), a multipart body over "
            f"UPLOAD_MAX_BYTES + API_MAX_BODY_BYTES ({form_limit} bytes), or a resume_file over "
            f"UPLOAD_MAX_BYTES ({settings.UPLOAD_MAX_BYTES} bytes)",
            ["body_too_large", "file_too_large"],
        ),
        "415": _error(
            "Content-Type is none of application/json, application/*+json and multipart/form-data",
            ["unsupported_media_type"],
        ),
    }


def _batch_body_errors() -> dict[str, Any]:
    """The body errors, plus a batch's: job_descriptions empty, too long or not a list."""
    errors = _body_errors()
    from optimizer.api import _INPUT_ERROR_CODES  # api imports this module

    errors["400"] = _error(
        "Invalid JSON body, not an object, job_descriptions missing, not a list, empty or "
        "longer than BATCH_MAX_JOBS (code too_many_jobs), one of them (named in field, "
        "job_descriptions[2]) or the resume empty, of the wrong type, too short or too long, "
        "deferred not a boolean, or an output_language that is not one of its codes",
        ["invalid_json", "invalid_body", "too_many_jobs", *_INPUT_ERROR_CODES.values()],
    )
    return errors


def _optimization_errors() -> dict[str, Any]:
    """A letter's optimization_id that is not one of the key's finished optimizations."""
    return {
        "404": _error(
            "optimization_id is malformed, unknown, a letter's, or another key's", ["not_found"]
        ),
        "409": _error("optimization_id's optimization has not finished", ["not_finished"]),
    }


def _pipeline_errors() -> dict[str, Any]:
    from optimizer.api import _UPSTREAM_BAD_REQUEST

    return {
        "422": _error(
            "The LLM rejected the request (upstream 400 or 413, e.g. prompt too long)",
            _UPSTREAM_BAD_REQUEST,
        ),
        "429": _error(
            "Over API_RATE_LIMIT_PER_MINUTE requests this minute for this key, or over the "
            "key's or the site's daily or monthly LLM budget (API_KEY_DAILY_BUDGET_USD, "
            "API_KEY_MONTHLY_BUDGET_USD, SITE_DAILY_BUDGET_USD, SITE_MONTHLY_BUDGET_USD or the "
            "key's own limits; the message names the budget; Retry-After: until it resets, "
            "00:00 UTC or the 1st of the next month)",
            ["rate_limited", "budget_exceeded"],
            headers=RETRY_AFTER,
        ),
        "500": _error("Internal error", ["internal_error"]),
        "503": _error(
            "The LLM is unavailable after retries (5xx, 529, 429, timeouts), refused at once "
            "while the circuit breaker is open (code upstream_unavailable, no upstream call), "
            "or not configured correctly (code llm_not_configured)",
            None,
            headers=RETRY_AFTER,
        ),
    }


_FLAGS = {
    "type": "array",
    "items": {"type": "object"},
    "description": "Claims in the optimized resume the original does not support",
}


def _schemas() -> dict[str, Any]:
    usage = {
        "type": "object",
        "required": ["input_tokens", "output_tokens", "cost_usd", "model", "cached"],
        "properties": {
            "input_tokens": {"type": "integer", "description": "Not counting prompt-cache tokens"},
            "output_tokens": {"type": "integer"},
            "cache_creation_input_tokens": {
                "type": "integer",
                "description": "Prompt tokens written to Anthropic's prompt cache (1.25x input)",
            },
            "cache_read_input_tokens": {
                "type": "integer",
                "description": "Prompt tokens read from Anthropic's prompt cache (0.1x input)",
            },
            "cost_usd": {
                "type": ["number", "null"],
                "description": "Charged for this call: 0 on a cache hit or a shared answer",
            },
            "model": {"type": "string"},
            "cached": {"type": "boolean"},
            "saved_usd": {"type": "number", "description": "A hit: the original call's cost"},
            "provider": {"type": "string"},
            "attempts": {"type": "integer"},
            "latency_ms": {"type": ["number", "null"]},
            "time_to_first_chunk_ms": {"type": ["number", "null"]},
            "cached_at": {"type": ["string", "null"]},
            "fallback_from": {
                "type": "string",
                "description": "The configured model, when one of LLM_FALLBACK_MODELS answered "
                "instead (model names it)",
            },
            "cache": {
                "type": "string",
                "enum": ["HIT", "MISS", "BYPASS"],
                "description": "What the response cache did for this request (as X-Cache)",
            },
            "shared": {
                "type": "boolean",
                "description": "true: produced for an identical request that was running at "
                "the same time and shared with this one (single-flight): nothing charged",
            },
        },
    }
    result = {
        "type": "object",
        "required": ["optimized_resume", "changes_made", "expected_improvement", "usage_stats"],
        "properties": {
            "optimized_resume": {"type": "string"},
            "changes_made": {"type": "array", "items": {"type": "string"}},
            "expected_improvement": {"type": "string"},
            "usage_stats": _ref("UsageStats"),
            "warnings": {"type": "array", "items": {"type": "string"}},
            "is_valid": {"type": "boolean"},
            "quality": {"type": "object"},
            "stop_reason": {"type": ["string", "null"]},
            "ats_score": _ref("AtsScore"),
            "grounding": _FLAGS,
            "grounding_mode": {"type": "string"},
            "diff": {
                "type": "array",
                "items": {"type": "object"},
                "description": "Word diff: {op: equal|insert|delete, text}",
            },
        },
    }
    letter = {
        "type": "object",
        "description": "A cover letter or outreach note. Length outside its bounds (250-400 "
        "words; outreach under 120) is a warning, not a failure. grounding: claims about the "
        "candidate the ORIGINAL resume does not support (the company and job title the letter "
        "addresses are not claims)",
        "required": ["kind", "tone", "text", "usage_stats", "warnings", "grounding"],
        "properties": {
            "kind": {"type": "string", "enum": ["cover_letter", "outreach"]},
            "tone": {"type": "string", "enum": ["formal", "warm", "concise"]},
            "company": {
                "type": "string",
                "description": "The company the job names, addressed by the letter; '' if none",
            },
            "text": {"type": "string", "description": "The letter, plain text"},
            "optimization_id": {
                "type": ["string", "null"],
                "description": "The resume optimization it was written from",
            },
            "usage_stats": _ref("UsageStats"),
            "warnings": {"type": "array", "items": {"type": "string"}},
            "is_valid": {"type": "boolean"},
            "quality": {
                "type": "object",
                "properties": {
                    "length": {"type": "integer"},
                    "word_count": {"type": "integer"},
                    "within_length": {"type": "boolean"},
                    "quality_score": {"type": "number"},
                },
            },
            "stop_reason": {"type": ["string", "null"]},
            "grounding": _FLAGS,
            "grounding_mode": {"type": "string"},
        },
    }
    term = {
        "type": "object",
        "properties": {
            "term": {"type": "string"},
            "category": {"type": "string"},
            "importance": {"type": "string", "enum": ["must", "nice"]},
            "where": {
                "type": "array",
                "items": {"type": "string"},
                "description": "matched: the resume lines that show it",
            },
        },
    }
    ats_score = {
        "type": "object",
        "description": "Match score before and after (0-100), as the weighted mean of its "
        "components. Terms only unsupported claims match add nothing to 'after'.",
        "properties": {
            "before": {"type": "integer"},
            "after": {"type": "integer"},
            "delta": {"type": "integer"},
            "matched": {"type": "array", "items": term},
            "missing": {"type": "array", "items": term},
            "newly_matched": {"type": "array", "items": term},
            "categories": {"type": "object"},
            "requirements": {"type": "integer"},
            "readability": {"type": "object"},
            "components": {
                "type": "array",
                "description": "hard_skills, soft_skills, job_title, education, experience",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "label": {"type": "string"},
                        "weight": {"type": "integer", "description": "percent of the score"},
                        "score": {
                            "type": ["integer", "null"],
                            "description": "after; null: the job asks nothing of this kind",
                        },
                        "before": {"type": ["integer", "null"]},
                        "matched": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "description": "{term, importance, line}: the resume line",
                            },
                        },
                        "missing": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
            "formatting_issues": {
                "type": "array",
                "description": "Lines that earn nothing: keyword_dump, copied_from_job, "
                "repeated_terms",
                "items": {
                    "type": "object",
                    "properties": {
                        "issue": {"type": "string"},
                        "message": {"type": "string"},
                        "lines": {"type": "array", "items": {"type": "string"}},
                        "count": {"type": "integer"},
                    },
                },
            },
            "if_flagged_true": {
                "type": "integer",
                "description": "the 'after' score were the flagged claims true",
            },
            "matched_only_by_flagged_claims": {"type": "array", "items": {"type": "string"}},
        },
    }
    event_types = ["start", "chunk", "warning", "done", "error"]
    return {
        "UsageStats": usage,
        "AtsScore": ats_score,
        "GenerateResult": result,
        "LetterResult": letter,
        "Health": {
            "type": "object",
            "required": [
                "service",
                "version",
                "status",
                "phase",
                "llm_available",
                "cache_enabled",
                "cached_responses",
            ],
            "properties": {
                "service": {"type": "string"},
                "version": {"type": "string"},
                "status": {"type": "string"},
                "phase": {"type": "string"},
                "llm_available": {"type": "boolean"},
                "cache_enabled": {"type": "boolean"},
                "cached_responses": {"type": "integer"},
                "cache_backend": {"type": "string"},
                "provider": {
                    "type": "string",
                    "enum": ["anthropic", "openai_compatible", "offline"],
                },
                "model": {"type": "string"},
                "llm_base_url": {
                    "type": ["string", "null"],
                    "description": "The OpenAI-compatible server's URL (openai_compatible only)",
                },
                "upstream": {
                    "type": "string",
                    "enum": ["closed", "open", "half_open"],
                    "description": "The circuit breaker of the configured model: open = "
                    "requests that miss the cache fail at once with upstream_unavailable",
                },
                "upstream_breaker": {
                    "type": ["object", "null"],
                    "description": "The breaker's detail (null: offline engine, or off)",
                    "properties": {
                        "provider": {"type": "string"},
                        "model": {"type": "string"},
                        "state": {"type": "string"},
                        "failures": {"type": "integer"},
                        "retry_after": {"type": ["number", "null"]},
                        "probes": {"type": "integer"},
                    },
                },
            },
        },
        "CacheStats": {
            "type": "object",
            "required": ["total_keys", "ttl_seconds", "hits", "misses", "hit_rate"],
            "properties": {
                "total_keys": {"type": "integer"},
                "ttl_seconds": {"type": "integer"},
                "hits": {"type": "integer"},
                "misses": {"type": "integer"},
                "hit_rate": {"type": "number"},
                "saved_usd": {"type": "number"},
                "available": {"type": "boolean"},
                "backend": {"type": "string"},
            },
        },
        "CacheCleared": {
            "type": "object",
            "required": ["success", "message"],
            "properties": {
                "success": {"type": "boolean"},
                "message": {"type": "string"},
                "deleted": {"type": "integer"},
            },
        },
        "Batch": {
            "type": "object",
            "required": ["id", "url", "status", "deferred", "counts", "items"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "url": {"type": "string", "description": "GET: this batch (API key)"},
                "created_at": {"type": "string", "format": "date-time"},
                "status": {
                    "type": "string",
                    "enum": ["running", "queued", "done"],
                    "description": "done: every item finished (done, failed or cancelled); "
                    "queued: items wait for the Message Batches API",
                },
                "deferred": {
                    "type": "boolean",
                    "description": "Sent through the Message Batches API (half price)",
                },
                "message_batch": {
                    "type": ["object", "null"],
                    "description": "Anthropic's Message Batch, when deferred",
                    "properties": {
                        "id": {"type": "string"},
                        "status": {"type": "string", "enum": ["in_progress", "ended"]},
                    },
                },
                "counts": {
                    "type": "object",
                    "description": "Items per status",
                    "additionalProperties": {"type": "integer"},
                },
                "items": {"type": "array", "items": _ref("BatchItem")},
            },
        },
        "BatchItem": {
            "type": "object",
            "required": ["position", "job_id", "status", "stream_url", "result_url"],
            "properties": {
                "position": {"type": "integer", "description": "Its index in job_descriptions"},
                "job_id": {"type": "string", "format": "uuid"},
                "job_title": {"type": "string"},
                "company": {"type": "string"},
                "status": {"type": "string", "enum": list(Optimization.Status.values)},
                "writing": {
                    "type": "boolean",
                    "description": "Running and holding one of the BATCH_MAX_CONCURRENCY "
                    "upstream slots; a running item without one waits for its turn",
                },
                "match_before": {"type": ["integer", "null"]},
                "match_after": {"type": ["integer", "null"]},
                "match_delta": {"type": ["integer", "null"]},
                "cost_usd": {
                    "type": ["number", "null"],
                    "description": "What its upstream call cost (Message Batches: half price)",
                },
                "cached": {"type": "boolean"},
                "error": {
                    "type": ["object", "null"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                },
                "stream_url": {"type": "string", "description": "GET: the item's SSE stream"},
                "result_url": {"type": "string", "description": "GET: its result (202 until)"},
                "download_urls": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "Job": {
            "type": "object",
            "required": ["id", "status", "stream_url", "result_url"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "status": {
                    "type": "string",
                    "enum": ["pending", "queued", "running"],
                    "description": "queued: a batch item waiting for the Message Batches API",
                },
                "stream_url": {"type": "string", "description": "GET: the job's SSE stream"},
                "result_url": {"type": "string", "description": "GET: the result (202 until)"},
                "download_urls": {
                    "type": "object",
                    "description": "GET: the optimized resume as txt, md, docx or pdf once done",
                    "additionalProperties": {"type": "string"},
                },
            },
        },
        "Event": {
            "description": (
                "The JSON in each unnamed SSE event's `data:` line (each event also has an "
                "`id:` line). Order: start, chunk*, warning?, then done or error (last)."
            ),
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": event_types},
                "message": {"type": "string", "description": "start, done, error"},
                "stage": {"type": "string", "description": "start"},
                "content": {"type": "string", "description": "chunk: one text delta"},
                "issues": {"type": "array", "items": {"type": "string"}},
                "grounding": _FLAGS,
                "result": ANY_RESULT,
                "code": {"type": "string", "description": "error: machine-readable reason"},
                "retry_after": {"type": "number"},
                "upstream_status": {"type": "integer"},
                "restart_url": {"type": "string"},
            },
        },
    }


ANY_RESULT = {"anyOf": [_ref("GenerateResult"), _ref("LetterResult")]}


def _sse(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            SSE: {
                # OpenAPI 3.2's way to describe each event: data is JSON matching Event.
                "itemSchema": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "id": {"type": "string"},
                        "event": {"type": "string"},
                        "data": {
                            "type": "string",
                            "contentMediaType": JSON,
                            "contentSchema": _ref("Event"),
                        },
                    },
                },
            }
        },
    }


TOKEN = {
    "name": "token",
    "in": "query",
    "required": False,
    "description": "The signed token from POST /api/v1/jobs (or send the creating API key)",
    "schema": {"type": "string"},
}
PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "description": "Page size of a .pdf or .docx: letter or a4. Default: Letter when the resume's "
    "header places the candidate in the US or Canada (address, +1 phone), else A4",
    "schema": {"type": "string", "enum": list(PAGE_SIZES)},
}
LAST_EVENT_ID = [
    {
        "name": "lastEventId",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 0},
    },
    {
        "name": "Last-Event-ID",
        "in": "header",
        "required": False,
        "schema": {"type": "integer", "minimum": 0},
    },
]
CACHE_PARAMETERS = [
    {
        "name": "Cache-Control",
        "in": "header",
        "required": False,
        "description": "no-cache: skip the cache lookup and store the new answer; no-store: do "
        "not store this answer; max-age=N: accept a cached answer at most N seconds old. Other "
        "directives are ignored; a bad max-age is a 400 invalid_cache_control",
        "schema": {"type": "string"},
    },
    {
        "name": "X-Cache-TTL",
        "in": "header",
        "required": False,
        "description": f"Seconds (1 to {MAX_TTL_SECONDS}) to keep this answer in the cache",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_TTL_SECONDS},
    },
]
X_CACHE = {
    "X-Cache": _header(
        "HIT (from the cache), MISS (looked up, generated) or BYPASS (Cache-Control: no-cache)"
    )
}
BODY = {
    "required": True,
    "description": (
        "JSON (application/json or any application/*+json type), or multipart/form-data with "
        "a resume_file"
    ),
    "content": {
        JSON: {"schema": _ref("GenerateRequest")},
        MULTIPART: {"schema": _ref("GenerateUpload")},
    },
}
LETTER_BODY = {
    **BODY,
    "content": {
        JSON: {"schema": _ref("LetterRequest")},
        MULTIPART: {"schema": _ref("LetterUpload")},
    },
}
JOB_BODY = {
    **BODY,
    "content": {JSON: {"schema": _ref("JobRequest")}, MULTIPART: {"schema": _ref("JobUpload")}},
}
KEY_AUTH: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKeyHeader": []}]
# The job URLs take their signed token, or the API key that created the job instead.
LINK_AUTH = [{}, *KEY_AUTH]


def _operations() -> dict[str, dict[str, Any]]:
    """URL name (api_urls.py) -> method -> operation."""
    from optimizer.api import CACHE_UNAVAILABLE  # api imports this module

    return {
        "api-health": {
            "get": {
                "operationId": "health",
                "summary": "Service health (never fails because Redis is down)",
                "security": [],
                "responses": {"200": _json(_ref("Health"), "Health")},
            }
        },
        "api-openapi": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
            }
        },
        "api-generate": {
            "post": {
                "operationId": "generate",
                "summary": "Optimize a resume (one JSON answer; cache hits cost nothing)",
                "security": KEY_AUTH,
                "parameters": CACHE_PARAMETERS,
                "requestBody": BODY,
                "responses": {
                    "200": _json(_ref("GenerateResult"), "The optimized resume", headers=X_CACHE),
                    **_key_errors(),
                    **_body_errors(cache_control=True),
                    **_pipeline_errors(),
                },
            }
        },
        "api-generate-stream": {
            "post": {
                "operationId": "generateStream",
                "summary": "Optimize a resume, streamed as Server-Sent Events",
                "security": KEY_AUTH,
                "parameters": CACHE_PARAMETERS,
                "requestBody": BODY,
                "responses": {
                    "200": _sse(
                        "Events (see the Event schema); upstream errors arrive as an error event"
                    ),
                    **_key_errors(),
                    **_body_errors(cache_control=True),
                },
            }
        },
        "api-cover-letter": {
            "post": {
                "operationId": "coverLetter",
                "summary": "Write a cover letter or outreach note for the job (one JSON answer)",
                "security": KEY_AUTH,
                "parameters": CACHE_PARAMETERS,
                "requestBody": LETTER_BODY,
                "responses": {
                    "200": _json(_ref("LetterResult"), "The letter", headers=X_CACHE),
                    **_key_errors(),
                    **_body_errors(cache_control=True),
                    **_optimization_errors(),
                    **_pipeline_errors(),
                },
            }
        },
        "api-cover-letter-stream": {
            "post": {
                "operationId": "coverLetterStream",
                "summary": "Write a cover letter or outreach note, streamed as Server-Sent Events",
                "security": KEY_AUTH,
                "parameters": CACHE_PARAMETERS,
                "requestBody": LETTER_BODY,
                "responses": {
                    "200": _sse("Events (see the Event schema; done's result is a LetterResult)"),
                    **_key_errors(),
                    **_body_errors(cache_control=True),
                    **_optimization_errors(),
                },
            }
        },
        "api-jobs": {
            "post": {
                "operationId": "createJob",
                "summary": "Create a job for GET-only clients such as EventSource",
                "security": KEY_AUTH,
                "requestBody": JOB_BODY,
                "responses": {
                    "202": _json(
                        _ref("Job"),
                        "Created; starts at the first GET of a URL",
                        headers={"Location": _header("The result_url")},
                    ),
                    **_key_errors(),
                    **_body_errors(),
                    **_optimization_errors(),
                },
            }
        },
        "api-job-stream": {
            "get": {
                "operationId": "jobStream",
                "summary": "The job's events; Last-Event-ID (or ?lastEventId=) resumes",
                "security": LINK_AUTH,
                "parameters": [TOKEN, *LAST_EVENT_ID],
                "responses": {
                    "200": _sse("The job's events, stored ones first"),
                    "400": _error("Invalid Last-Event-ID", ["invalid_last_event_id"]),
                    **_link_errors(),
                },
            }
        },
        "api-job-result": {
            "get": {
                "operationId": "jobResult",
                "summary": "The job's result: 202 while running",
                "security": LINK_AUTH,
                "parameters": [TOKEN],
                "responses": {
                    "200": _json(ANY_RESULT, "Done: a resume's result, or a letter's"),
                    "202": _json(_ref("Job"), "Still running", headers=RETRY_AFTER),
                    "409": _error("The job was cancelled: create a new one", ["cancelled"]),
                    **_link_errors(),
                    **_pipeline_errors(),
                },
            }
        },
        "api-job-download": {
            "get": {
                "operationId": "jobDownload",
                "summary": "The finished job's optimized resume as a file",
                "security": LINK_AUTH,
                "parameters": [TOKEN, PAGE],
                "responses": {
                    "200": {
                        "description": "The file, as an attachment, named after the candidate "
                        'and the role ("Jane-Doe-Resume-Senior-Python-Developer.pdf")',
                        "headers": {"Content-Disposition": _header("attachment; filename=...")},
                        "content": {fmt.split(";")[0]: {} for fmt in FORMATS.values()},
                    },
                    "400": _error("An unknown page size", ["invalid_page_size"]),
                    "409": _error("The job has not finished", ["not_finished"]),
                    **_link_errors("unknown_format"),
                },
            }
        },
        "api-batches": {
            "post": {
                "operationId": "createBatch",
                "summary": "One resume, several jobs: a job per job description, run at once "
                "(at most BATCH_MAX_CONCURRENCY upstream calls at a time)",
                "security": KEY_AUTH,
                "requestBody": {**BODY, "content": {JSON: {"schema": _ref("BatchRequest")}}},
                "responses": {
                    "202": _json(
                        _ref("Batch"),
                        "Created; its items are running (or queued for the Message Batches API)",
                        headers={"Location": _header("The batch's url")},
                    ),
                    **_key_errors(),
                    **_batch_body_errors(),
                    "404": _error(
                        "optimization_id is malformed, unknown, a letter's, or another key's",
                        ["not_found"],
                    ),
                },
            }
        },
        "api-batch": {
            "get": {
                "operationId": "getBatch",
                "summary": "A batch: each item's job, status and match before and after",
                "security": KEY_AUTH,
                "responses": {
                    "200": _json(_ref("Batch"), "The batch"),
                    **_key_errors(),
                    "404": _error(
                        "No such batch for this key, or a path parameter that does not match",
                        ["batch_not_found", "not_found"],
                    ),
                },
            }
        },
        "api-cache-stats": {
            "get": {
                "operationId": "cacheStats",
                "summary": "LLM cache statistics",
                "security": KEY_AUTH,
                "responses": {
                    "200": _json(_ref("CacheStats"), "Statistics"),
                    **_key_errors(),
                },
            }
        },
        "api-cache": {
            "delete": {
                "operationId": "clearCache",
                "summary": "Clear the LLM cache (admin key)",
                "security": KEY_AUTH,
                "responses": {
                    "200": _json(_ref("CacheCleared"), "Cleared"),
                    **_key_errors(admin=True),
                    "503": _error(
                        "Redis does not answer: the cache was not cleared",
                        [CACHE_UNAVAILABLE],
                        headers=RETRY_AFTER,
                    ),
                },
            }
        },
    }


def _with_parameters(operation: dict[str, Any], path: list[dict[str, Any]]) -> dict[str, Any]:
    parameters = path + operation.get("parameters", [])
    return {**operation, "parameters": parameters} if parameters else operation


def _paths() -> dict[str, Any]:
    """Every route of api_urls.py with its operations; a route without one is an error."""
    operations = _operations()
    paths: dict[str, Any] = {}
    for name, path, parameters in api_routes():
        if name not in operations:
            raise LookupError(f"The API route {name} ({path}) is not in optimizer/openapi.py")
        paths[path] = {
            method: _with_parameters(operation, parameters)
            for method, operation in operations.pop(name).items()
        }
    if operations:
        raise LookupError(f"Documented but not in optimizer/api_urls.py: {sorted(operations)}")
    return paths


def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ATS Resume Optimizer API",
            "version": VERSION,
            "description": (
                "Rewrites a resume for one job description with Claude. Errors always have the "
                'shape {"error": {"code", "message", "field"}}. Any method a path does not list '
                "is a 405 (code method_not_allowed) with an Allow header; any other path under "
                "/api/v1/ is a 404 (code not_found)."
            ),
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": {**_request_schemas(), "Error": _error_schema(), **_schemas()},
            "responses": {
                "MethodNotAllowed": _error(
                    "Method not allowed (see the Allow header)",
                    ["method_not_allowed"],
                    headers=ALLOW,
                ),
                "NotFound": _error("No such path under /api/v1/", ["not_found"]),
            },
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
        "paths": _paths(),
    }


def openapi_document() -> dict[str, Any]:
    """The document; built per call so the size limits follow the current settings."""
    return _document()
