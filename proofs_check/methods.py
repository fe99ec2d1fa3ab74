"""The names of checking methods and of what a verdict rests on (no heavy imports, so
the CLI can offer them as choices)."""

from __future__ import annotations

from typing import Literal, get_args

Method = Literal["z3", "exhaustive", "both"]
Guarantee = Literal["smt-proof", "exhaustive", "sampled"]
METHODS: tuple[str, ...] = get_args(Method)
GUARANTEES: tuple[str, ...] = get_args(Guarantee)
