"""The 15 tasks of Delétang et al., "Neural Networks and the Chomsky Hierarchy" (ICLR 2023,
arXiv 2207.02098), as their code in google-deepmind/neural_networks_chomsky_hierarchy
(folder ``tasks/``) defines them, with the parameters of its ``experiments/constants.py``.

Each task is one :class:`ChomskyTask` record: its sampler (a numpy port of the task's
``sample_batch``, token ids numbered exactly as there) and the bundled machine
``chomsky_<name>`` that computes it. The records live in a few modules by kind
(:mod:`.regular`, :mod:`.dcf`, :mod:`.brackets`, :mod:`.cs`, :mod:`.arithmetic`);
:data:`TASKS` lists them in the paper's order (:data:`ORDER`).
Adding a task touches its module and one line there.

Token ids are written one character per token: ids 0-9 as ``0``-``9``, 10 as ``a``, 11 as
``b`` (:func:`id_text`). Only solve_equation uses 11 (its ``=``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: The characters that write token ids 0, 1, 2, ... on a machine's tape.
ID_CHARS = "0123456789ab"

Level = Literal["regular", "dcf", "cs"]

#: ``sample(rng, batch_size, length)`` -> ``(inputs, outputs)``: token-id lists, each output
#: exactly as the task's ``sample_batch`` builds its target (padding included; a
#: single-class task's output is one id).
Sampler = Callable[[np.random.Generator, int, int], tuple[list[list[int]], list[list[int]]]]


@dataclass(frozen=True, kw_only=True)
class ChomskyTask:
    """One task of the benchmark, as its code defines it."""

    name: str  #: the task's module name, e.g. ``even_pairs``
    level: Level
    input_size: int  #: the task's ``input_size`` (ids 0 .. input_size-1)
    output_size: int  #: the task's ``output_size``
    #: the termination token id ending the output (its accuracy mask drops what follows), or None
    termination: int | None
    sample: Sampler
    note: str = ""  #: where the code differs from the paper's prose, and how the machine reads it
    #: the benchmark's training lengths for the tied table: words of length 0..train_max_length
    #: (the smallest L measured to give a proved table), every one of them, or a seeded
    #: sample of ``train_samples`` words where that is too many
    train_max_length: int = 6
    train_samples: int | None = None

    @property
    def machine(self) -> str:
        """The bundled machine computing this task."""
        return f"chomsky_{self.name}"


def id_text(ids: Sequence[int]) -> str:
    """Token ids as the machine's input word (one character each)."""
    return "".join(ID_CHARS[i] for i in ids)


def text_ids(text: str) -> list[int]:
    """The inverse of :func:`id_text`."""
    return [ID_CHARS.index(c) for c in text]


#: The tasks in the order of the paper's main table (regular, DCF, CS).
ORDER = ("even_pairs", "modular_arithmetic", "parity_check", "cycle_navigation",
         "stack_manipulation", "reverse_string", "modular_arithmetic_brackets", "solve_equation",
         "duplicate_string", "missing_duplicate_string", "odds_first", "binary_addition",
         "binary_multiplication", "compute_sqrt", "bucket_sort")


def target_mask(task: ChomskyTask, target: Sequence[int]) -> int:
    """How many leading target positions the benchmark scores: all of them, or up to and
    including the termination token (the task's ``accuracy_mask``: the argmax of the target
    ids, i.e. the first occurrence of the largest id, which is the termination token)."""
    if task.termination is None:
        return len(target)
    return int(np.argmax(np.asarray(target))) + 1


def answer_ids(text: str) -> list[int]:
    """A machine's answer (its tape, blanks stripped) as token ids; a character that writes
    no id (a work symbol, an inner blank) is -1, which matches no target."""
    return [ID_CHARS.index(c) if c in ID_CHARS else -1 for c in text]


def token_accuracy(task: ChomskyTask, answer: Sequence[int], target: Sequence[int]) -> tuple[int, int]:
    """(right, scored): the benchmark's per-token accuracy of one output. Positions the
    answer does not reach are wrong; for a terminated task the zero padding after the
    termination token is not scored, so an answer may stop at it."""
    scored = target_mask(task, target)
    right = sum(1 for i in range(scored) if i < len(answer) and answer[i] == target[i])
    return right, scored


def answer_matches(task: ChomskyTask, answer: Sequence[int], target: Sequence[int]) -> bool:
    """The machine's answer is the task's output: equal on every scored position, and
    anything after the termination token is the optional zero padding."""
    right, scored = token_accuracy(task, answer, target)
    return right == scored and len(answer) <= len(target) and all(a == 0 for a in answer[scored:])


def _collect() -> dict[str, ChomskyTask]:
    from theorymodel.benchmarks.chomsky import arithmetic, brackets, cs, dcf, regular

    found = {task.name: task for module in (regular, dcf, brackets, cs, arithmetic) for task in module.TASKS}
    return {name: found[name] for name in ORDER if name in found}


TASKS: dict[str, ChomskyTask] = _collect()
