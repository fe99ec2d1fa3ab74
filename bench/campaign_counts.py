"""Shared by the property-campaign scripts: run a test module's ``campaign`` at the size and
seed given on the command line, and print its counts and the time it took."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def run(campaign: Callable[[int, int], dict[str, int]], default_size: int) -> None:
    """``python bench/SCRIPT.py [SIZE] [SEED]``."""
    size = int(sys.argv[1]) if len(sys.argv) > 1 else default_size
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    start = time.perf_counter()
    for key, value in campaign(size, seed).items():
        print(f"{key:45} {value:>8,}")
    print(f"{'seconds':45} {time.perf_counter() - start:>8.1f}")
