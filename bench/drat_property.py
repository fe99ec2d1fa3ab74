"""The DRAT checker's property test at any size (issue 21): random small CNFs, CaDiCaL's
proofs and hostile proofs, every verdict against brute force; prints the counts.

    python bench/drat_property.py [FORMULAS] [SEED]
"""

from __future__ import annotations

from campaign_counts import run

if __name__ == "__main__":
    import test_drat

    run(test_drat.campaign, 10_000)
