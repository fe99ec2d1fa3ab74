"""Rerun the bad-input campaign (tests/test_fuzz.py's table) against a source tree, each
case in its own process with a 10 s limit, and count the outcomes by kind.

    python bench/bad_input_campaign.py [TREE]      # TREE defaults to this checkout

Outcomes: ``ok`` (the expected exit code and one error line), ``internal error (70)``,
``traceback``, ``hang (>10 s)``, ``accepted (exit 0)``, ``wrong exit N``. Point TREE at an
older checkout to count what it did; some cases create files there (never under /dev).
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests"))


def main() -> None:
    tree = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE
    import test_fuzz

    counts: collections.Counter[str] = collections.Counter()
    for name, argv, code in test_fuzz.CASES:
        if "/dev/full" in name:  # an old tree may replace the device node with a file
            continue
        with tempfile.TemporaryDirectory() as tmp:
            args = argv(Path(tmp))
            try:
                done = subprocess.run([sys.executable, "-m", "theorymodel", *args], cwd=tmp,
                                      capture_output=True, text=True, timeout=10,
                                      env={**os.environ, "PYTHONPATH": str(tree)})
                err = done.stderr.strip().splitlines()
                if done.returncode == 70:
                    kind = "internal error (70)"
                elif "Traceback" in done.stderr:
                    kind = "traceback"
                elif done.returncode == code and err and err[-1].startswith("error:"):
                    kind = "ok"
                else:
                    kind = "accepted (exit 0)" if done.returncode == 0 else f"wrong exit {done.returncode}"
            except subprocess.TimeoutExpired:
                kind = "hang (>10 s)"
        counts[kind] += 1
        if kind != "ok":
            print(f"{kind:22} {name}")
    print(dict(counts), "of", sum(counts.values()))


if __name__ == "__main__":
    main()
