"""The differential mutant campaign of ``verify --uniform FILE`` (issue 21, item 3): tile
files of bundled machines, mutated in arrays and metadata, each verdict checked against a
forward pass written from ``np.load`` alone; prints the table.

    python bench/uniform_file_mutants.py [PER_MACHINE] [SEED]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from campaign_counts import run

if __name__ == "__main__":
    import test_uniform_files

    def campaign(per_machine: int, seed: int) -> dict[str, int]:
        with tempfile.TemporaryDirectory() as tmp:
            return test_uniform_files.campaign(Path(tmp), per_machine, seed)

    run(campaign, 130)
