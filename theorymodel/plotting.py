"""matplotlib behind one door: an optional dependency, the Agg backend, atomic PNG writes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from theorymodel.errors import UsageError
from theorymodel.io import atomic_write


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend, or a usage error naming the extra."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise UsageError("plots need matplotlib: pip install 'theorymodel[plots]'") from exc
    return plt


def save_png(fig: Any, path: str | Path) -> Path:
    """Write a figure as PNG atomically and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    pyplot().close(fig)
    return atomic_write(path, buf.getvalue())
