"""The bundled example machines (``theorymodel list``).

YAML files beside this module, plus the Busy Beaver champions in standard text
notation. :func:`load` returns a :class:`~theorymodel.machines.TuringMachine`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from theorymodel.machines.model import TuringMachine

#: Busy Beaver champions (blank 0, halting transition counted); known values in docs/paper.md.
BUSY_BEAVERS: dict[str, tuple[str, str]] = {
    "bb2": ("1RB1LB_1LA1RZ", "BB(2) champion: 6 steps, 4 ones."),
    "bb3": ("1RB1RZ_1LB0RC_1LC1LA", "BB(3) step champion: 21 steps, 5 ones."),
    "bb4": ("1RB1LB_1LA0LC_1RZ1LD_1RD0RA", "BB(4) champion: 107 steps, 13 ones."),
    "bb5": ("1RB1LC_1RC1RB_1RD0LE_1LA1LD_1RZ0LA", "BB(5) champion: 47,176,870 steps, 4098 ones."),
}


def _yaml_names() -> list[str]:
    root = resources.files(__name__)
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def names() -> list[str]:
    """Names of every bundled machine."""
    return _yaml_names() + list(BUSY_BEAVERS)


@cache
def load(name: str) -> TuringMachine:
    """Load a bundled machine by name."""
    from theorymodel.machines.formats import parse_bb, parse_yaml

    if name in BUSY_BEAVERS:
        return parse_bb(BUSY_BEAVERS[name][0], name=name)
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return parse_yaml(text, name=name)


def describe(name: str) -> str:
    """One line saying what a bundled machine does."""
    from theorymodel.machines.formats import safe_yaml_load

    if name in BUSY_BEAVERS:
        return BUSY_BEAVERS[name][1]
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return str(safe_yaml_load(text).get("description", ""))
