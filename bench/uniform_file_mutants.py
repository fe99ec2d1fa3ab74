"""The differential mutant campaign of ``verify --uniform FILE`` (issue 21, item 3): tile
files of bundled machines, mutated in arrays and metadata, each verdict checked against a
forward pass written from ``np.load`` alone; prints the table.

    python bench/uniform_file_mutants.py [PER_MACHINE] [SEED]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def main() -> None:
    import test_uniform_files

    per_machine = int(sys.argv[1]) if len(sys.argv) > 1 else 130
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        counts = test_uniform_files.campaign(Path(tmp), per_machine, seed)
    for key, value in counts.items():
        print(f"{key:45} {value:>8,}")
    print(f"{'seconds':45} {time.perf_counter() - start:>8.1f}")


if __name__ == "__main__":
    main()
