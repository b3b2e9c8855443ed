"""The OpenAPI 3.1 document of /api/v1, built as a Python dict (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from optimizer.health import VERSION

JSON = "application/json"
SSE = "text/event-stream"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}, **extra}


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return _json(_ref("Error"), description, **extra)


RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "string"}}
}
ALLOW = {"Allow": {"description": "The methods this path accepts", "schema": {"type": "string"}}}


def _common_errors(*, auth: bool, body: bool, admin: bool = False) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "404": _error("Unknown path"),
        "405": _error("Method not allowed (see the Allow header)", headers=ALLOW),
    }
    if auth:
        responses["401"] = _error("Missing or invalid API key")
        responses["429"] = _error("Rate limit exceeded", headers=RETRY_AFTER)
    if admin:
        responses["403"] = _error("The key is not an admin key")
    if body:
        responses["400"] = _error(
            "Invalid JSON, not an object, or a field missing, empty, of the wrong type, too "
            "short, too long, or with NUL bytes / unpaired surrogates"
        )
        responses["413"] = _error("The whole body is over API_MAX_BODY_BYTES")
        responses["415"] = _error("Content-Type is not application/json")
    return responses


def _upstream_errors() -> dict[str, Any]:
    return {
        "422": _error("The LLM rejected the request (upstream 400, e.g. prompt too long)"),
        "500": _error("Internal error"),
        "503": _error(
            "The LLM is unavailable after retries (5xx, 529, 429), or not configured correctly",
            headers=RETRY_AFTER,
        ),
    }


def _text_field(setting: str) -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": settings.INPUT_MIN_CHARS,
        "maxLength": getattr(settings, setting),
        "description": "Plain text; surrounding whitespace is stripped. No NUL bytes.",
    }


def _schemas() -> dict[str, Any]:
    usage = {
        "type": "object",
        "required": ["input_tokens", "output_tokens", "cost_usd", "model", "cached"],
        "properties": {
            "input_tokens": {"type": "integer"},
            "output_tokens": {"type": "integer"},
            "cost_usd": {
                "type": ["number", "null"],
                "description": "Charged for this call: 0 on a cache hit",
            },
            "model": {"type": "string"},
            "cached": {"type": "boolean"},
            "saved_usd": {"type": "number", "description": "A hit: the original call's cost"},
            "provider": {"type": "string"},
            "attempts": {"type": "integer"},
            "latency_ms": {"type": ["number", "null"]},
            "time_to_first_chunk_ms": {"type": ["number", "null"]},
            "cached_at": {"type": ["string", "null"]},
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
        },
    }
    event_types = ["start", "chunk", "warning", "done", "error"]
    return {
        "GenerateRequest": {
            "type": "object",
            "required": ["resume_raw_text", "job_description_text"],
            "properties": {
                "resume_raw_text": _text_field("RESUME_MAX_CHARS"),
                "job_description_text": _text_field("JOB_DESCRIPTION_MAX_CHARS"),
            },
            "additionalProperties": True,
            "description": "Unknown extra fields are ignored.",
        },
        "GenerateUpload": {
            "type": "object",
            "required": ["job_description_text"],
            "properties": {
                "resume_file": {
                    "type": "string",
                    "contentMediaType": "application/octet-stream",
                    "description": "The resume as .pdf, .docx or .txt (UPLOAD_MAX_BYTES at most)",
                },
                "resume_raw_text": {
                    "type": "string",
                    "description": "Optional: pasted text wins over the file",
                },
                "job_description_text": _text_field("JOB_DESCRIPTION_MAX_CHARS"),
            },
            "description": "multipart/form-data: a resume file instead of resume_raw_text.",
        },
        "UsageStats": usage,
        "GenerateResult": result,
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "field"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "field": {"type": ["string", "null"]},
                    },
                }
            },
        },
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
                "provider": {"type": "string"},
                "model": {"type": "string"},
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
        "Job": {
            "type": "object",
            "required": ["id", "status", "stream_url", "result_url"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "status": {"type": "string", "enum": ["pending", "running"]},
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
                "result": _ref("GenerateResult"),
                "code": {"type": "string", "description": "error: machine-readable reason"},
                "retry_after": {"type": "number"},
                "upstream_status": {"type": "integer"},
                "restart_url": {"type": "string"},
            },
        },
    }


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
JOB_ID = {
    "name": "job_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}
BODY = {
    "required": True,
    "content": {
        JSON: {"schema": _ref("GenerateRequest")},
        "multipart/form-data": {"schema": _ref("GenerateUpload")},
    },
}
KEY_AUTH = [{"bearerAuth": []}, {"apiKeyHeader": []}]


def _document() -> dict[str, Any]:
    open_errors = _common_errors(auth=False, body=False)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ATS Resume Optimizer API",
            "version": VERSION,
            "description": (
                "Rewrites a resume for one job description with Claude. Errors always have the "
                'shape {"error": {"code", "message", "field"}}.'
            ),
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
        "paths": {
            "/api/v1/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Service health (never fails because Redis is down)",
                    "security": [],
                    "responses": {"200": _json(_ref("Health"), "Health"), **open_errors},
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1"), **open_errors},
                }
            },
            "/api/v1/generate": {
                "post": {
                    "operationId": "generate",
                    "summary": "Optimize a resume (one JSON answer; cache hits cost nothing)",
                    "security": KEY_AUTH,
                    "requestBody": BODY,
                    "responses": {
                        "200": _json(_ref("GenerateResult"), "The optimized resume"),
                        **_common_errors(auth=True, body=True),
                        **_upstream_errors(),
                    },
                }
            },
            "/api/v1/generate/stream": {
                "post": {
                    "operationId": "generateStream",
                    "summary": "Optimize a resume, streamed as Server-Sent Events",
                    "security": KEY_AUTH,
                    "requestBody": BODY,
                    "responses": {
                        "200": _sse(
                            "Events (see the Event schema); upstream errors arrive as "
                            "an error event"
                        ),
                        **_common_errors(auth=True, body=True),
                    },
                }
            },
            "/api/v1/jobs": {
                "post": {
                    "operationId": "createJob",
                    "summary": "Create a job for GET-only clients such as EventSource",
                    "security": KEY_AUTH,
                    "requestBody": BODY,
                    "responses": {
                        "202": _json(_ref("Job"), "Created; starts at the first GET of a URL"),
                        **_common_errors(auth=True, body=True),
                    },
                }
            },
            "/api/v1/jobs/{job_id}/stream": {
                "get": {
                    "operationId": "jobStream",
                    "summary": "The job's events; Last-Event-ID (or ?lastEventId=) resumes",
                    "security": [],
                    "parameters": [
                        JOB_ID,
                        TOKEN,
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
                    ],
                    "responses": {
                        "200": _sse("The job's events, stored ones first"),
                        "400": _error("Invalid Last-Event-ID"),
                        **_common_errors(auth=True, body=False),
                    },
                }
            },
            "/api/v1/jobs/{job_id}/result": {
                "get": {
                    "operationId": "jobResult",
                    "summary": "The job's result: 202 while running",
                    "security": [],
                    "parameters": [JOB_ID, TOKEN],
                    "responses": {
                        "200": _json(_ref("GenerateResult"), "Done"),
                        "202": _json(_ref("Job"), "Still running", headers=RETRY_AFTER),
                        "409": _error("The job was cancelled: create a new one"),
                        **_common_errors(auth=True, body=False),
                        **_upstream_errors(),
                    },
                }
            },
            "/api/v1/jobs/{job_id}/download.{fmt}": {
                "get": {
                    "operationId": "jobDownload",
                    "summary": "The finished job's optimized resume as a file",
                    "security": [],
                    "parameters": [
                        JOB_ID,
                        {
                            "name": "fmt",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": ["txt", "md", "docx", "pdf"]},
                        },
                        TOKEN,
                    ],
                    "responses": {
                        "200": {
                            "description": "The file, as an attachment",
                            "content": {
                                "text/plain": {},
                                "text/markdown": {},
                                "application/pdf": {},
                                "application/vnd.openxmlformats-officedocument."
                                "wordprocessingml.document": {},
                            },
                        },
                        "409": _error("The job has not finished"),
                        **_common_errors(auth=True, body=False),
                    },
                }
            },
            "/api/v1/cache/stats": {
                "get": {
                    "operationId": "cacheStats",
                    "summary": "LLM cache statistics",
                    "security": KEY_AUTH,
                    "responses": {
                        "200": _json(_ref("CacheStats"), "Statistics"),
                        **_common_errors(auth=True, body=False),
                    },
                }
            },
            "/api/v1/cache": {
                "delete": {
                    "operationId": "clearCache",
                    "summary": "Clear the LLM cache (admin key)",
                    "security": KEY_AUTH,
                    "responses": {
                        "200": _json(_ref("CacheCleared"), "Cleared"),
                        **_common_errors(auth=True, body=False, admin=True),
                    },
                }
            },
        },
    }


def openapi_document() -> dict[str, Any]:
    """The document; built per call so the size limits follow the current settings."""
    return _document()
