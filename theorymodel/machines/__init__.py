"""Turing machines: the model, the formats people use, and the simulators."""

from theorymodel.machines.formats import (
    from_automata,
    parse_bb,
    parse_morphett,
    parse_tmsim,
    parse_yaml,
    to_automata,
    to_bb,
    to_dot,
)
from theorymodel.machines.model import CodedTable, Transition, TuringMachine
from theorymodel.machines.resolve import load_machine
from theorymodel.machines.simulate import (
    BatchResult,
    RunResult,
    reference_run,
    run_batch,
    simulate,
)

__all__ = [
    "BatchResult",
    "CodedTable",
    "RunResult",
    "Transition",
    "TuringMachine",
    "from_automata",
    "load_machine",
    "parse_bb",
    "parse_morphett",
    "parse_tmsim",
    "parse_yaml",
    "reference_run",
    "run_batch",
    "simulate",
    "to_automata",
    "to_bb",
    "to_dot",
]
