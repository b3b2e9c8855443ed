from __future__ import annotations

pytest_plugins = ["optimizer.testing.pytest_plugin"]
