"""Print the JSON of compile, verify, length and census on the bundled machines, timings
removed, one line per command: run it on two revisions and diff the outputs to show a
refactor changed no result (issue 13).

    python bench/json_outputs.py > after.jsonl
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from theorymodel.machines import library

SMALL_N = {"binary_decrement": 3, "binary_increment": 3, "binary_palindrome": 3, "parity": 3,
           "ternary_increment": 2, "unary_addition": 3, "zeros_then_ones": 3, "bb2": 0, "bb3": 0}


def untimed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: untimed(v) for k, v in value.items() if k != "seconds" and not k.endswith("_seconds")
                and k not in ("db", "written", "certificate", "argv")}
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value


def run(*argv: str) -> str:
    """One command in a fresh process: z3's shared context keeps state between queries,
    so a witness may depend on what ran before in the same process."""
    done = subprocess.run([sys.executable, "-m", "theorymodel", *argv, "--json"], capture_output=True,
                          text=True, check=False)
    code, text = done.returncode, done.stdout.strip()
    return json.dumps({"argv": list(argv), "exit": code, "json": untimed(json.loads(text)) if text else None},
                      sort_keys=False)


def commands(db: Path) -> list[tuple[str, ...]]:
    cmds: list[tuple[str, ...]] = []
    for name in library.names():
        if name not in SMALL_N:
            continue
        n = str(SMALL_N[name])
        for route in ("tableau", "circuit"):
            cmds.append(("compile", name, "--n", n, "--route", route))
            cmds.append(("verify", name, "--n", n, "--route", route))
    cmds += [("length", t, "--n", n) for t, n in (("parity", "5"), ("majority", "3"), ("tt:0110", "2"),
                                                    ("inner-product", "4"), ("binary_palindrome", "3"))]
    cmds += [("length", "parity", "--n", "6", "--class", "parity-3"), ("length", "majority", "--n", "3",
                                                                       "--class", "b2")]
    cmds.append(("census", "--n", "3", "--db", str(db)))  # the path differs per run; compare the rest
    return cmds


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for argv in commands(Path(tmp) / "census.sqlite"):
            print(run(*argv))
            sys.stdout.flush()
