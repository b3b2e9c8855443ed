"""The benchmark harness: `python -m bench` (full run) or `python -m bench --smoke` (CI).

See docs/performance.md for what it measures and how to read the table.
"""

from __future__ import annotations
