"""An LLM server's address as shown to people (the health check, the page's footer, errors).

Apart from llm/openai_client.py so that showing it does not import the OpenAI SDK, which takes
about 0.8 s and is needed only when LLM_PROVIDER=openai_compatible.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def display_url(url: str) -> str:
    """The server's address as shown to people: scheme, host, port and path; never credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
