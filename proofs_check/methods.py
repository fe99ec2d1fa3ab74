"""The registry of checking methods, and the names of what a verdict rests on (no heavy
imports, so the CLI can offer them as choices).

Each method is one record of :data:`REGISTRY`: a module of :mod:`proofs_check.per_length`
with ``run(target, pred, *, reach, timeout) -> Verdict`` and ``estimate_seconds(target,
pred) -> float | None`` (None: not predictable from sizes). Adding a method touches its
module and one line here; ``auto`` and ``both`` are the portfolio in
:func:`proofs_check.verdict.verify`, built from these.

Every method starts with a random-simulation pass (2,048 inputs, or all when fewer): a
wrong file found there gets its replayed counterexample at once (``method: "simulation"``).

- ``auto``: the portfolio (:func:`proofs_check.verdict.verify`): each applicable method's
  cost estimated from sizes before it starts (inputs x CoT tokens for enumeration; the
  halting lemma's cells x states x symbols and the positions for z3; gates plus non-zero
  weights for SAT), the cheapest first. Enumeration when it is estimated at most 5 s or
  no dearer than the proof; otherwise the proof (z3 local lemmas for a labelled predictor,
  SAT sweeping for a circuit predictor without labels, one global z3 query otherwise) gets
  at most the enumeration's estimate, then enumeration runs under the same deadline.
  ``details["portfolio"]`` records the estimates and the order.
- ``z3``: z3 only (local lemmas, then one global query).
- ``sat``: SAT sweeping against a circuit file (:mod:`proofs_check.per_length.sweep`).
- ``exhaustive``: every input, roll-out against the reference.
- ``both``: two independent methods, which must agree: a proof and enumeration when the
  inputs can be enumerated; else z3 and SAT sweeping (circuits) or z3 and the simulation
  pass (machines); the verdict's ``methods`` says which.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Literal, get_args

Method = Literal["auto", "z3", "sat", "exhaustive", "both"]
#: what decided a verdict: a method, or the random-simulation pass every method starts with
Decider = Literal["z3", "sat", "exhaustive", "both", "simulation"]
Guarantee = Literal["smt-proof", "exhaustive", "sampled"]
METHODS: tuple[str, ...] = get_args(Method)
#: ``verify`` and ``counterexample`` stop here unless ``--timeout`` says otherwise (seconds):
#: a proof that would run for hours ends with the stage it was in and the faster options
DEFAULT_VERIFY_TIMEOUT = 900.0
GUARANTEES: tuple[str, ...] = get_args(Guarantee)
METHOD_HELP = ("every method first rolls out 2,048 random inputs; auto: the cheapest by estimated cost: "
               "enumeration, or a proof (z3 local lemmas, SAT sweeping for unlabelled circuit predictors, else "
               "one global z3 query) that gives way to enumeration after the enumeration's estimate; z3: z3 only; "
               "sat: SAT sweeping (circuits); exhaustive: every input; both: two independent methods that must "
               "agree")


@dataclass(frozen=True)
class MethodRecord:
    """One checking method: its name on the command line and the module that runs it."""

    name: str
    module: str
    summary: str


REGISTRY: dict[str, MethodRecord] = {r.name: r for r in (
    MethodRecord("exhaustive", "proofs_check.per_length.exhaustive", "every input rolled out"),
    MethodRecord("z3", "proofs_check.per_length.z3_query", "z3 lemmas, then one global query"),
    MethodRecord("sat", "proofs_check.per_length.sweep", "SAT sweeping against a circuit file"),
)}


def method_module(name: str) -> ModuleType:
    """The module that runs the method ``name`` (imported on first use)."""
    return importlib.import_module(REGISTRY[name].module)
