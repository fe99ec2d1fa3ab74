"""The string tasks of the CS level: duplicate_string, missing_duplicate_string, odds_first
and bucket_sort (``tasks/cs/`` of google-deepmind/neural_networks_chomsky_hierarchy), as
``experiments/constants.py`` builds them (each with its class defaults: binary strings for
the first three, 5 symbols for bucket_sort).

The samplers are numpy ports of ``sample_batch``: the same draws (``jrandom.randint`` with
the same bounds and shapes becomes ``rng.integers``), the same special cases, and the
target exactly as the code builds it (the code, not the docstrings, where they differ).
"""

from __future__ import annotations

import numpy as np

from theorymodel.benchmarks.chomsky import ChomskyTask

#: the class defaults that experiments/constants.py keeps
STRING_VOCAB = 2
BUCKET_VOCAB = 5
#: missing_duplicate_string's placeholder of the missing bit and its padding token
MISSING, PADDING = 2, 3

Batch = tuple[list[list[int]], list[list[int]]]


def _strings(rng: np.random.Generator, batch_size: int, length: int, vocab: int) -> np.ndarray:
    """``jrandom.randint(rng, shape=(batch_size, length), minval=0, maxval=vocab)``."""
    if length < 0:
        raise ValueError(f"length must be >= 0, got {length}")
    return rng.integers(0, vocab, size=(batch_size, length))


def _lists(inputs: np.ndarray, outputs: np.ndarray) -> Batch:
    return [[int(v) for v in row] for row in inputs], [[int(v) for v in row] for row in outputs]


def sample_duplicate(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """DuplicateString.sample_batch: a binary string w and ww."""
    strings = _strings(rng, batch_size, length, STRING_VOCAB)
    return _lists(strings, np.concatenate([strings, strings], axis=1))


def sample_missing_duplicate(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """MissingDuplicateString.sample_batch: ss (|s| = length // 2) with one uniform position
    replaced by 2, then one 3 if length is odd; the answer is the replaced bit. Length 1 is
    the code's special case: input [1], answer [1]."""
    if length < 1:
        # the code would draw an index into an empty string: not a meaningful case
        raise ValueError(f"missing_duplicate_string needs length >= 1, got {length}")
    if length == 1:
        return [[1] for _ in range(batch_size)], [[1] for _ in range(batch_size)]
    strings = _strings(rng, batch_size, length // 2, 2)
    duplicated = np.concatenate([strings, strings], axis=-1)
    indices = rng.integers(0, duplicated.shape[1], size=(batch_size,))
    rows = np.arange(batch_size)
    output = duplicated[rows, indices]
    masked = duplicated.copy()
    masked[rows, indices] = MISSING
    padding = np.full((batch_size, length % 2), PADDING, dtype=masked.dtype)
    padded = np.concatenate([masked, padding], axis=-1)
    return _lists(padded, output[:, None])


def sample_odds_first(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """OddsFirst.sample_batch: a binary string s and s[1::2] + s[::2] (0-based positions:
    the odd positions first, as the code computes it)."""
    strings = _strings(rng, batch_size, length, STRING_VOCAB)
    return _lists(strings, np.concatenate([strings[:, 1::2], strings[:, ::2]], axis=1))


def sample_bucket_sort(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """BucketSort.sample_batch: a string over 0..4 and its sorted copy."""
    strings = _strings(rng, batch_size, length, BUCKET_VOCAB)
    return _lists(strings, np.sort(strings, axis=-1))


TASKS: list[ChomskyTask] = [
    ChomskyTask(
        name="duplicate_string", level="cs", train_max_length=2, input_size=STRING_VOCAB, output_size=STRING_VOCAB,
        termination=None, sample=sample_duplicate,
        note=(
            "Code and docstring agree: w -> ww over {0, 1} (vocab_size = 2, the class default "
            "that experiments/constants.py keeps); length 0 gives the empty input and output. "
            "Every word over {0, 1} is a task input, so the machine has no malformed word: it "
            "leaves ww on every word."
        ),
    ),
    ChomskyTask(
        name="missing_duplicate_string", level="cs", train_max_length=4, input_size=4, output_size=2,
        termination=None, sample=sample_missing_duplicate,
        note=(
            "Ids: 0, 1 bits, 2 the placeholder of the missing bit, 3 the padding. The docstring says "
            "the duplicated strings are padded with 3 at odd lengths; the code appends one 3 at the "
            "end of the whole word (after ss with its 2). Length 1 is the code's special case "
            "(input 1, answer 1, no 2 at all); length 0 is not a meaningful case of the code (an "
            "index into an empty string) and raises ValueError here. On every word the sampler "
            "draws, the missing bit is the parity of the number of 1s in the word (ss holds an "
            "even number of 1s), and the machine computes exactly that in one erasing pass: a "
            "regular function on the task's support. It checks the regular shape of the support "
            "on the way: the word 1, or u or u3 with u in {0,1,2}^* of even length >= 2 holding "
            "exactly one 2; any other word (among them the empty word) halts in a non-final state "
            "(a reject) at the first symbol that breaks the shape. It does not check that the two "
            "halves agree (not a regular property): a word of the right shape whose halves differ, "
            "which the sampler never draws, gets the parity of its 1s."
        ),
    ),
    ChomskyTask(
        name="odds_first", level="cs", train_max_length=3, input_size=STRING_VOCAB, output_size=STRING_VOCAB,
        termination=None, sample=sample_odds_first,
        note=(
            "The code outputs strings[:, 1::2] then strings[:, ::2]: the bits at 0-based odd "
            "positions (the 2nd, 4th, ... characters) first, then the even ones. The docstring "
            "says the opposite, 's_1 s_3 s_5 ... s_2 s_4 s_6 ...', and so do its examples "
            "(00110101 -> 0100 0111, 110 -> 10 1); the code gives 00110101 -> 0111 0100 and "
            "110 -> 1 10, and the machine follows the code. Every word over {0, 1} is a task "
            "input, so the machine has no malformed word."
        ),
    ),
    ChomskyTask(
        name="bucket_sort", level="cs", train_max_length=3, input_size=BUCKET_VOCAB, output_size=BUCKET_VOCAB,
        termination=None, sample=sample_bucket_sort,
        note=(
            "Strings over 0..4 (vocab_size = 5) and the same string sorted by value, as "
            "jnp.sort does; sample_batch's docstring says 'sorted by (inc.) occurrence', but the "
            "code and the class docstring sort by value (10204112 -> 00111224). Every word over "
            "0..4 is a task input, so the machine has no malformed word."
        ),
    ),
]
