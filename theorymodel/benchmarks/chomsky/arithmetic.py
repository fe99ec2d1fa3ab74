"""The arithmetic tasks of the Chomsky-hierarchy benchmark (level cs): numpy ports of their
sample_batch.

Each port follows ``tasks/cs/<name>.py`` of google-deepmind/neural_networks_chomsky_hierarchy
(the code, not its docstrings; ``experiments/constants.py`` gives these tasks no parameters):
the same ranges, shapes and special cases, with numpy's generator in place of Python's
``random`` and ``np.random``. The operands are Python integers of any size: the code draws
``random.randint(1, 2**k - 1)``, here a uniform k-bit integer redrawn while it is 0 (the same
distribution), so lengths of 100 and more work.
"""

from __future__ import annotations

import math

import numpy as np

from theorymodel.benchmarks.chomsky import ChomskyTask

Batch = tuple[list[list[int]], list[list[int]]]

#: the operator between the operands and the termination token of addition and multiplication
OPERATOR = TERMINATION = 2


def _randint_positive(rng: np.random.Generator, bits: int) -> int:
    """``random.randint(1, 2**bits - 1)``: uniform over the non-zero ``bits``-bit integers."""
    if bits < 1:
        raise ValueError(f"empty range for randint(1, {2**bits - 1})")
    while True:
        value = int("".join(map(str, rng.integers(0, 2, size=bits).tolist())), 2)
        if value:
            return value


def _binary(number: int, length: int, little_endian: bool = True) -> list[int]:
    """``numbers_to_variable_length_binary`` for one number: ``f'{num:b}'.zfill(length)``,
    reversed when little-endian (``length`` 0 gives the bits without padding, "0" for 0)."""
    text = f"{number:b}".zfill(length)
    return [int(c) for c in (text[::-1] if little_endian else text)]


def _operands(rng: np.random.Generator, batch_size: int, length: int
              ) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """The common part of ``_sample_expressions_and_results`` for ``length >= 3``:
    ``length_n = np.random.randint(1, length - 1)``, ``length_m = length - 1 - length_n``,
    each operand ``random.randint(1, 2**len - 1)`` zero-padded to its length,
    little-endian, joined by the operator 2."""
    length_n = rng.integers(1, length - 1, size=batch_size)
    words, pairs = [], []
    for len_n in length_n.tolist():
        len_m = length - 1 - len_n
        n, m = _randint_positive(rng, len_n), _randint_positive(rng, len_m)
        words.append([*_binary(n, len_n), OPERATOR, *_binary(m, len_m)])
        pairs.append((n, m))
    return words, pairs


def _short_words(rng: np.random.Generator, batch_size: int, length: int) -> tuple[list[list[int]], list[int]]:
    """``length <= 2``: ``np.random.randint(0, 2**length - 1)`` (the high end excluded, so
    length 1 draws only 0 and length 2 never 3; length 0 raises as there), written with
    ``length`` bits little-endian; no operator."""
    numbers = rng.integers(0, 2**length - 1, size=batch_size).tolist()
    return [_binary(int(v), length) for v in numbers], [int(v) for v in numbers]


# --- binary_addition ----------------------------------------------------------------------


def sample_binary_addition(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """``BinaryAddition.sample_batch``: ``x 2 y`` little-endian; the target is the sum
    little-endian without high zeros ("0" for 0), the termination token 2, then zeros up
    to ``length + 1`` ids. For ``length <= 2`` the word is one number, no operator, and the
    target is that number."""
    if length <= 2:
        words, values = _short_words(rng, batch_size, length)
    else:
        words, pairs = _operands(rng, batch_size, length)
        values = [n + m for n, m in pairs]
    results = [_binary(v, 0) for v in values]
    return words, [res + [TERMINATION] + [0] * (length - len(res)) for res in results]


BINARY_ADDITION = ChomskyTask(
    name="binary_addition", train_max_length=4, level="cs", input_size=3, output_size=3, termination=TERMINATION,
    sample=sample_binary_addition,
    note=("Operands and sum are little-endian; the operands are random.randint(1, 2**k - 1) zero-padded to k "
          "bits, so they may end in (high) zeros but are never 0, and both have at least one bit. The target "
          "has length+1 ids: the sum without high zeros, 2, then zeros. The docstring's examples pad one "
          "zero short: 001+01101 gives 0101120000 (docstring 010112000) and 1001+000001 gives 100101200000 "
          "(docstring 10010120000). For length <= 2 the code draws np.random.randint(0, 2**length - 1), the "
          "high end excluded: length 1 is always '0' (target 02), length 2 one of 00, 10, 01 (targets 020, "
          "120, 012), never 11; there is no operator and the target is the word's own number; length 0 "
          "raises (empty range). The machine reads a word without 2 as x+0 (it appends the operator), which "
          "agrees with those cases, and an empty operand as 0 ('2' -> '02'); a word with two or more 2 halts "
          "in the non-final state vy (reject). Its answer stops at the termination token (no padding)."),
)


# --- binary_multiplication ----------------------------------------------------------------


def sample_binary_multiplication(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """``BinaryMultiplication.sample_batch``: ``x 2 y`` little-endian; the target is the
    product little-endian without high zeros ("0" never occurs: operands are non-zero),
    the termination token 2, then zeros up to ``length`` ids. For ``length <= 2`` the word
    is a number without operator and the target is ``length - 1`` zeros then 2, whatever
    the word."""
    if length <= 2:
        words, _ = _short_words(rng, batch_size, length)
        results = [[0] * (length - 1) for _ in words]
    else:
        words, pairs = _operands(rng, batch_size, length)
        results = [_binary(n * m, 0) for n, m in pairs]
    return words, [res + [TERMINATION] + [0] * (length - 1 - len(res)) for res in results]


BINARY_MULTIPLICATION = ChomskyTask(
    name="binary_multiplication", train_max_length=7, level="cs", input_size=3, output_size=3, termination=TERMINATION,
    sample=sample_binary_multiplication,
    note=("Operands and product are little-endian, operands drawn as in binary_addition (non-zero, zero-padded "
          "to their random lengths). The target has length ids: the product without high zeros, 2, then "
          "zeros. The class docstring's 01001*011 = 00110011 is wrong: 18*6 = 108 is 0011011 little-endian "
          "(the method docstring's two examples, 000110120 and 00000100120, match the code); it also writes "
          "the operator as '£'. For length <= 2 there is no operator and the target is length-1 zeros then 2 "
          "whatever the word (length 1: '0' -> 2; length 2: 00, 10, 01 -> 02; np.random.randint(0, 2**length "
          "- 1) never draws 1 or 11); length 0 raises. The machine answers every word without 2 that way "
          "(n-1 zeros then 2, and '2' for the empty word), an empty operand as 0 ('2' -> '02'), and halts "
          "in the non-final state vy (reject) on a word with two or more 2. Its answer stops at the "
          "termination token (no padding)."),
)


# --- compute_sqrt -------------------------------------------------------------------------


def sample_compute_sqrt(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """``ComputeSqrt.sample_batch``: ``random.randint(1, 2**length - 1)`` written with
    ``length`` bits big-endian; the target is ``math.isqrt`` of it big-endian, zero-padded
    to ``ceil(length / 2)`` bits."""
    numbers = [_randint_positive(rng, length) for _ in range(batch_size)]
    size = math.ceil(length / 2)
    return ([_binary(v, length, little_endian=False) for v in numbers],
            [_binary(math.isqrt(v), size, little_endian=False) for v in numbers])


COMPUTE_SQRT = ChomskyTask(
    name="compute_sqrt", train_max_length=6, level="cs", input_size=2, output_size=2, termination=None,
    sample=sample_compute_sqrt,
    note=("Big-endian, the input has leading zeros (a number in 1..2**n - 1 written with n bits), the target "
          "is floor(sqrt) with exactly ceil(n/2) bits, leading zeros included, no termination token. The "
          "docstring's first example is wrong: 100101 = 37 has root 6, which the code writes 110 (docstring "
          "101); its second (111 -> 10) matches. The all-zero word is never drawn (its root would be all "
          "zeros) and length 0 raises (empty range). Every word over {0,1} is well formed: the machine "
          "answers the all-zero word with ceil(n/2) zeros and the empty word with nothing."),
)


TASKS: list[ChomskyTask] = [BINARY_ADDITION, BINARY_MULTIPLICATION, COMPUTE_SQRT]
