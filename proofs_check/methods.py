"""The names of checking methods and of what a verdict rests on (no heavy imports, so
the CLI can offer them as choices).

- ``auto``: the fastest proof available: z3 local lemmas for a labelled predictor, SAT
  sweeping for a circuit predictor without labels (or whose lemmas fail), one global z3
  query otherwise.
- ``z3``: z3 only (local lemmas, then one global query).
- ``sat``: SAT sweeping against a circuit file (:mod:`proofs_check.sweep`).
- ``exhaustive``: every input, roll-out against the reference.
- ``both``: ``auto`` and ``exhaustive``, which must agree.
"""

from __future__ import annotations

from typing import Literal, get_args

Method = Literal["auto", "z3", "sat", "exhaustive", "both"]
Guarantee = Literal["smt-proof", "exhaustive", "sampled"]
METHODS: tuple[str, ...] = get_args(Method)
GUARANTEES: tuple[str, ...] = get_args(Guarantee)
METHOD_HELP = ("auto: z3 local lemmas, SAT sweeping for unlabelled circuit predictors, else one global z3 query; "
               "z3: z3 only; sat: SAT sweeping (circuits); exhaustive: every input; both: auto and exhaustive")
