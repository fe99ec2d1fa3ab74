"""The regular tasks of the Chomsky-hierarchy benchmark: numpy ports of their sample_batch.

Each port follows ``tasks/regular/<name>.py`` of google-deepmind/neural_networks_chomsky_hierarchy
(the code, not its docstrings), with the parameters of ``experiments/constants.py``: the same
ranges, shapes and special cases, with numpy's generator in place of jax's keys. Outputs are
class ids (one-element lists), the argmax of the task's one-hot ``output``.
"""

from __future__ import annotations

import numpy as np

from theorymodel.benchmarks.chomsky import ChomskyTask

Batch = tuple[list[list[int]], list[list[int]]]


def _rows(strings: np.ndarray, classes: np.ndarray) -> Batch:
    return [[int(x) for x in row] for row in strings], [[int(c)] for c in classes]


# --- even_pairs ---------------------------------------------------------------------------


def sample_even_pairs(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """``EvenPairs.sample_batch``: uniform bits; the class is the number of unequal
    neighbours (01 and 10) mod 2."""
    strings = rng.integers(0, 2, size=(batch_size, length))
    unequal_pairs = np.logical_xor(strings[:, :-1], strings[:, 1:])
    return _rows(strings, np.sum(unequal_pairs, axis=-1) % 2)


EVEN_PAIRS = ChomskyTask(
    name="even_pairs", train_max_length=3,
    level="regular", input_size=2, output_size=2, termination=None, sample=sample_even_pairs,
    note=("Code and docstring agree (001110 -> 0, 0101001 -> 1). The class is 1 exactly when the first and "
          "last bits differ; the empty word and one bit give 0 (no pairs). Every word over {0,1} is a task input, "
          "so the machine rejects nothing."),
)


# --- modular_arithmetic -------------------------------------------------------------------

MODULUS = 5
#: ``OP_BY_CHARACTER`` of the task: ids are MODULUS + these.
OP_BY_CHARACTER = {"+": 0, "-": 1, "*": 2, "_": 3}
PLUS, MINUS, TIMES, BLANK = (MODULUS + OP_BY_CHARACTER[c] for c in "+-*_")
#: the operators the sampler draws, in the code's order ``('+', '*', '-')``
SAMPLED_OPS = np.array([MODULUS + OP_BY_CHARACTER[op] for op in ("+", "*", "-")])


def _replace_blanks(expression: np.ndarray) -> np.ndarray:
    """``_replace_blanks``: ``_`` at an operator (odd) position is ``+``, at a digit (even)
    position 0."""
    mask = expression == BLANK
    operator_mask, residual_mask = mask.copy(), mask.copy()
    operator_mask[::2] = False
    residual_mask[1::2] = False
    out = np.where(operator_mask, PLUS, expression)
    return np.where(residual_mask, 0, out)


def _replace_subtractions(expression: np.ndarray) -> np.ndarray:
    """``_replace_subtractions``: ``-`` becomes ``+`` and negates the entry after it."""
    if expression.size < 2:
        return expression
    mask = expression == MINUS
    out = np.where(mask, PLUS, expression)
    out[2:] = out[2:] * (1 - 2 * mask[1:-1])
    return out


def _int32(x: int) -> int:
    """``x`` as jax's default int32 holds it: wrapped to [-2^31, 2^31)."""
    return (x + 2**31) % 2**32 - 2**31


def _perform_multiplications(expression: np.ndarray) -> list[int]:
    """``_perform_multiplications``: the product of each ``+``-separated term (the even
    entries, segmented by the count of ``+`` so far), zero-padded to ``len // 2 + 1``. In
    int32, as the code computes it (jax's default): a product past 2^31 wraps."""
    term_ids = np.cumsum(expression == PLUS)[::2].tolist()
    maximum_term_number = expression.shape[0] // 2 + 1
    products = [1] * maximum_term_number  # segment_prod: an empty segment is 1
    for value, term in zip(expression[::2].tolist(), term_ids, strict=True):
        if term < maximum_term_number:  # jax drops an out-of-range segment (only a malformed word has one)
            products[term] = _int32(products[term] * value)
    return [p if i <= term_ids[-1] else 0 for i, p in enumerate(products)]  # valid_segment_mask


def evaluate_expression(expression: np.ndarray | list[int]) -> int:
    """``_evaluate_expression`` of the task code, on one encoded expression, in int32 as the
    code computes it: the label is the value mod 5 unless a product or the sum leaves
    [-2^31, 2^31) (a term of 16 or more factors), where it is the wrapped value mod 5."""
    expr = np.asarray(expression, dtype=np.int64)
    expr = _replace_blanks(expr)
    expr = _replace_subtractions(expr)
    return _int32(sum(_perform_multiplications(expr))) % MODULUS


def sample_modular_arithmetic(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """``ModularArithmetic.sample_batch`` (modulus 5, operators ``+ * -``): an even length
    is made odd by taking one off (so length 2 gives words of length 1); length 0 becomes
    -1 and fails, as ``jnp.empty`` does in the code."""
    if length % 2 != 1:
        length -= 1
    if length < 0:
        raise ValueError(f"modular_arithmetic: length {length + 1} gives a negative array dimension")
    remainders = rng.integers(0, MODULUS, size=(batch_size, length // 2 + 1))
    operations = rng.choice(SAMPLED_OPS, size=(batch_size, length // 2))
    expressions = np.empty((batch_size, length), dtype=np.int64)
    expressions[:, ::2] = remainders
    expressions[:, 1::2] = operations
    labels = np.array([evaluate_expression(e) for e in expressions], dtype=np.int64)
    return _rows(expressions, labels)


MODULAR_ARITHMETIC = ChomskyTask(
    name="modular_arithmetic", train_max_length=3,
    level="regular", input_size=MODULUS + len(OP_BY_CHARACTER), output_size=MODULUS,
    termination=None, sample=sample_modular_arithmetic,
    note=("Ids 0-4 are digits, 5 '+', 6 '-', 7 '*', 8 '_'. The sampler draws '+', '*', '-' uniformly and never "
          "'_', which the evaluator still reads: '_' at an operator position is '+', at a digit position 0. "
          "'*' binds tighter than '+' and '-', and '-' negates the factor after it, so the label is the usual "
          "value mod 5 (1+2*3 -> 2, 1-1-1 -> 4, 0*1+4*3-2 -> 0, as the docstring says). The sampler makes an even "
          "length odd by taking one off: length 2k gives words of length 2k-1, and length 0 fails (jnp.empty "
          "with -1). The code computes in int32 (jax's default): a product or sum past 2^31 wraps before the "
          "mod, e.g. 4*4*...*4 (16 fours) is labelled 0 where its value is 1 mod 5; this port wraps the same "
          "way, the machine does not (it answers the value mod 5). Up to length 160 only a word with a term of "
          "13 or more factors can wrap (a chance below L/2 * 3^-12, 1.5e-4 at length 160, and far below that, "
          "since the factors must also be large; none in 20,000 words of length 159). In the code, "
          "self._operators is a generator, consumed by the first trace of the jitted sample_batch: a second "
          "(batch_size, length) on the same task object retraces with no operators, and for lengths >= 3 "
          "jax.random.choice fails on the empty array; this port draws from ('+', '*', '-') at every call, as a "
          "fresh task object does. The machine reads '_' as the evaluator does and rejects every other word that "
          "is not digit (operator digit)* (the empty word, even lengths, misplaced symbols): it halts in a "
          "state that is not final within n + 1 steps."),
)


# --- parity_check -------------------------------------------------------------------------


def sample_parity_check(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """``ParityCheck.sample_batch``: uniform bits; the class is the number of 1s mod 2."""
    strings = rng.integers(0, 2, size=(batch_size, length))
    return _rows(strings, np.sum(strings, axis=1) % 2)


PARITY_CHECK = ChomskyTask(
    name="parity_check", train_max_length=2,
    level="regular", input_size=2, output_size=2, termination=None, sample=sample_parity_check,
    note=("Code and docstring agree (1010100 -> 1, 01111 -> 0). Every word over {0,1} is a task input; the empty "
          "word gives 0."),
)


# --- cycle_navigation ---------------------------------------------------------------------

CYCLE_LENGTH = 5


def sample_cycle_navigation(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """``CycleNavigation.sample_batch``: uniform actions 0, 1, 2 (steps -1, 0, +1); the class
    is their sum mod 5."""
    actions = rng.integers(0, 3, size=(batch_size, length))
    return _rows(actions, np.sum(actions - 1, axis=1) % CYCLE_LENGTH)


CYCLE_NAVIGATION = ChomskyTask(
    name="cycle_navigation", train_max_length=3,
    level="regular", input_size=3, output_size=CYCLE_LENGTH, termination=None,
    sample=sample_cycle_navigation,
    note=("The docstring writes actions as -1, 0, 1; the code's ids are 0, 1, 2 (id - 1 is the step), so its "
          "examples '1 -1 0 -1 -1 -> 3' and '1 1 1 -1 -> 2' are the id words 20100 and 2220. Every word over "
          "{0,1,2} is a task input; the empty word gives 0."),
)


TASKS: list[ChomskyTask] = [EVEN_PAIRS, MODULAR_ARITHMETIC, PARITY_CHECK, CYCLE_NAVIGATION]
