from __future__ import annotations

import sys
from pathlib import Path

# Make the repository root importable when pytest runs without the Django plugin.
ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
