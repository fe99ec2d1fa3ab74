"""The DRAT checker's property test at any size (issue 21): random small CNFs, CaDiCaL's
proofs and hostile proofs, every verdict against brute force; prints the counts.

    python bench/drat_property.py [FORMULAS] [SEED]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def main() -> None:
    import test_drat

    formulas = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    start = time.perf_counter()
    counts = test_drat.campaign(formulas, seed)
    for key, value in counts.items():
        print(f"{key:45} {value:>8,}")
    print(f"{'seconds':45} {time.perf_counter() - start:>8.1f}")


if __name__ == "__main__":
    main()
