"""What a check concluded: :class:`Verdict` (and what it rests on) and the
:class:`Counterexample` it carries, replayed. Shared by every method
(:mod:`proofs_check.per_length`) and the dispatch (:mod:`proofs_check.verdict`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from proofs_check.methods import Decider, Guarantee
from theorymodel.errors import ResourceLimitError


def word_text(word: tuple[str, ...]) -> str:
    """An input word as the CLI reads it back: symbols concatenated, or separated by
    spaces when some symbol has more than one character."""
    return "".join(word) if all(len(s) == 1 for s in word) else " ".join(word)


@dataclass(frozen=True)
class Counterexample:
    word: tuple[str, ...]
    position: int | None
    expected: str
    got: str
    replay: dict[str, Any] = field(default_factory=dict)

    @property
    def input(self) -> str:
        return word_text(self.word)

    def to_json(self) -> dict[str, Any]:
        return {"input": self.input, "position": self.position, "expected": self.expected, "got": self.got}




@dataclass(frozen=True)
class Verdict:
    """What a check concluded, and what it rests on (``guarantee``)."""

    verified: bool
    method: Decider
    guarantee: Guarantee
    inputs: int
    cot_tokens: int
    counterexample: Counterexample | None = None
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "method": self.method,
            "guarantee": self.guarantee,
            "inputs": self.inputs,
            "cot_tokens": self.cot_tokens,
            "counterexample": None if self.counterexample is None else self.counterexample.to_json(),
            "seconds": round(self.seconds, 6),
        }

    def basis(self) -> str:
        """What the verdict rests on, in one line a person reads."""
        d = self.details
        parts = []
        local, swept = d.get("local"), d.get("sweep")
        if local and local.get("proved", False) and "distinct_lemmas" in local:
            parts.append(f"z3: {local['distinct_lemmas']:,} shared gate lemmas over {local['positions']:,} "
                         "positions, and the answer lemma")
        elif local and "queries" in local and self.method != "exhaustive" and not local.get("failed_positions"):
            parts.append(f"z3: {local['queries']:,} local lemmas over {local['positions']:,} positions, "
                         "halting and head reach")
        elif swept and self.method in ("sat", "both"):
            parts.append(f"{swept['solver']} sweeping: {swept['merged']:,} positions merged with circuit nodes, "
                         f"{swept['final_pairs']:,} output pairs left for the final call")
        elif self.method == "exhaustive":
            parts.append(f"every one of the {self.inputs:,} inputs rolled out")
        elif any(lemma.get("lemma", "").startswith(("roll-out answer", "whole")) for lemma in d.get("lemmas", [])):
            parts.append(f"{d.get('solver', 'z3')}: one query over the whole roll-out")
        if "methods" in d:
            parts.append(" and ".join(d["methods"]) + " agree")
        return "; ".join(parts)

    def _repr_html_(self) -> str:
        from theorymodel.display import html_table

        items = {k: v for k, v in self.to_json().items() if v is not None}
        return html_table("VERIFIED" if self.verified else "COUNTEREXAMPLE", items)




def solver_timeout(what: str, seconds: float) -> ResourceLimitError:
    """The error every method raises when its time limit is spent (exit 3)."""
    return ResourceLimitError(f"the solver ran out of time ({what})", limit="solver-timeout",
                              details={"seconds": round(seconds, 3)})
