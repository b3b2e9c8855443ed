"""The README's API examples, run as written against a live server, so they cannot drift.

The shell gets exactly what `make run` prints for pasting (local_setup's `export ...` lines, run
against the live server's database), then each ```bash block of the README that talks to
`$API`, verbatim, in an empty directory. The upstream is the fake Anthropic server.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import fake_upstream_env

pytestmark = pytest.mark.live

README = Path(__file__).resolve().parent.parent / "README.md"


def api_blocks() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), re.S)
    return [block for block in blocks if "$API" in block]


def pasted_lines(setup_output: str) -> list[str]:
    return [
        line.strip() for line in setup_output.splitlines() if line.strip().startswith("export ")
    ]


def test_the_readme_examples_use_only_what_make_run_prints() -> None:
    blocks = api_blocks()
    assert len(blocks) >= 3
    used = {name for block in blocks for name in re.findall(r"\$\{?([A-Z_]+)", block)}
    assert used == {"API", "API_KEY"}
    # request.json is written by the first block before any block reads it.
    assert "cat > request.json" in blocks[0]
    assert blocks[0].index("cat > request.json") < blocks[0].index("@request.json")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_api_examples_run_verbatim(
    live_server_factory: Callable[..., Any], fake_anthropic: Any, tmp_path: Path
) -> None:
    server = live_server_factory(**fake_upstream_env(fake_anthropic))
    printed = server.manage("local_setup", "--url", server.url + "/", env=server.env)
    exports = pasted_lines(printed)
    assert [line.split("=", 1)[0] for line in exports] == ["export API", "export API_KEY"]

    outputs = []
    for block in api_blocks():
        script = "set -euo pipefail\n" + "\n".join(exports) + "\n" + block
        run = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 0, (block, run.stderr)
        assert run.stderr == "", (block, run.stderr)
        outputs.append(run.stdout)

    generated = json.loads(outputs[0])
    assert "Jane Doe" in generated["optimized_resume"], generated
    stream = outputs[1][: outputs[1].rindex('{"total_keys"')]
    events = [json.loads(line[6:]) for line in stream.splitlines() if line.startswith("data: ")]
    assert events[0]["type"] == "start" and events[-1]["type"] == "done"
    assert events[-1]["result"]["optimized_resume"] == generated["optimized_resume"]
    stats = json.loads(outputs[1][outputs[1].rindex('{"total_keys"') :])
    assert stats["hits"] >= 1  # the stream asked for the same request: a cache hit
    cleared = json.loads(outputs[2])
    assert "error" not in cleared, cleared
    assert fake_anthropic.calls == 1
