"""theorymodel: chain-of-thought learning theory, executable and checkable
(Malach, *Auto-Regressive Next-Token Predictors are Universal Learners*, arXiv 2309.06979).

Pipeline (one package per stage)::

    machine file / notation -> TuringMachine        (theorymodel.machines)
    circuit file            -> Circuit               (theorymodel.circuits)
    TuringMachine | Circuit -> CoTProgram            (theorymodel.compile, via a registered route)
    CoTProgram              -> LinearPredictor       (theorymodel.predictor: exact weights, export)
    proofs over every input, bounds, certificates    (proofs_check)

The names a newcomer reaches for are importable from here::

    from theorymodel import load_machine, compile_target, LinearPredictor, verify

They are loaded on first use, so ``import theorymodel`` stays cheap. See README.md.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    "TheoryModelError": "theorymodel.errors",
    "TuringMachine": "theorymodel.machines",
    "load_machine": "theorymodel.machines",
    "simulate": "theorymodel.machines",
    "run_batch": "theorymodel.machines",
    "Circuit": "theorymodel.circuits",
    "load_circuit": "theorymodel.circuits",
    "CoTProgram": "theorymodel.program",
    "compile_target": "theorymodel.compile",
    "resolve_target": "theorymodel.compile",
    "ROUTES": "theorymodel.compile.routes",
    "LinearPredictor": "theorymodel.predictor",
    "load_predictor": "theorymodel.predictor",
    "verify": "proofs_check",
    "check_target": "proofs_check",
    "length_complexity": "theorymodel.complexity",
    "learn_predictor": "theorymodel.learn",  # not "learn": that name is the subpackage
}
__all__ = ["__version__", *sorted(_EXPORTS)]


_SOURCE_NAMES = {"learn_predictor": "learn"}  # public name -> name in its module


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), _SOURCE_NAMES.get(name, name))
        globals()[name] = value
        return value
    raise AttributeError(f"module 'theorymodel' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
