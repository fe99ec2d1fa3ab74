"""Learning a uniform rule from short runs: one shared (left, middle, right) -> next table
fitted on the triples that CoTs of short inputs show, then proved for every length by
:mod:`proofs_check.uniform.proof` (docs/uniform.md; the learner of docs/paper.md Thm 3.3 with
one weight block shared by all positions instead of one per position).

The training data are the runs' fixed-width tableaux (each input in its natural window),
as a user of the paper's setting would record CoTs. Triples never seen get whatever the
learned weights give them; the proof then decides whether that is right.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np

from theorymodel.compile.tableau import check_spellings, head_token
from theorymodel.errors import ResourceLimitError, UsageError, input_space
from theorymodel.learn.learners import LEARNERS, fit_position
from theorymodel.machines import TuringMachine
from theorymodel.program.uniform import SEPARATOR, UniformLayout, UniformRule, uniform_vocab

MAX_TRAINING_INPUTS = 1 << 16  # inputs whose runs are drawn (every input of the lengths, or --samples)
MAX_TRAINING_CELLS = 1 << 28  # cells drawn to list the training CoTs' rows (a bound from the runs alone)
MAX_RUN_STEPS = 100_000  # steps of one training run


def training_words(tm: TuringMachine, lengths: tuple[int, int], samples: int | None, seed: int
                   ) -> list[tuple[str, ...]]:
    """Every input with a length in ``lengths`` (inclusive), or a seeded sample of
    ``samples`` of them drawn uniformly with replacement when there are more; either
    is refused (exit 3) beyond ``MAX_TRAINING_INPUTS`` before any is built."""
    lo, hi = lengths
    if hi - lo + 1 > MAX_TRAINING_INPUTS:  # each length has an input
        raise ResourceLimitError(f"--train-n {lo}..{hi}: more than {MAX_TRAINING_INPUTS} lengths",
                                 limit="size-cap", details={"cap": MAX_TRAINING_INPUTS})
    sizes = [input_space(len(tm.input_symbols), n) for n in range(lo, hi + 1)]
    total = sum(sizes)
    drawn = total if samples is None else min(total, samples)
    if drawn > MAX_TRAINING_INPUTS:
        shown = f"{drawn:,}" if drawn < 10**15 else f"about 10^{len(str(drawn)) - 1}"
        raise ResourceLimitError(
            f"{shown} training inputs (lengths {lo}..{hi}" + ("" if samples is None else f", --samples {samples}")
            + f") are more than the cap of {MAX_TRAINING_INPUTS}" + ("; give --samples M" if samples is None else ""),
            limit="size-cap", details={"inputs": drawn, "cap": MAX_TRAINING_INPUTS})
    if samples is None or total <= samples:
        return [w for n in range(lo, hi + 1) for w in product(tm.input_symbols, repeat=n)]
    rng = np.random.default_rng(seed)
    ns = rng.choice(np.arange(lo, hi + 1), size=samples, p=np.array([size / total for size in sizes]))
    return [tuple(rng.choice(tm.input_symbols, size=int(n)).tolist()) for n in ns]


def run_configurations(tm: TuringMachine, word: tuple[str, ...], max_steps: int
                       ) -> list[tuple[str, int, dict[int, str]]]:
    """(state, head, cells) from step 0 to the halting step, plus the halted configuration
    once more (it repeats: the CoT of any T beyond the halting step)."""
    cells = dict(enumerate(word))
    state, head = tm.initial_state, 0
    out = [(state, head, dict(cells))]
    for taken in range(max_steps + 1):
        step = tm.transition(state, cells.get(head, tm.blank_symbol))
        if step is None:
            out.append(out[-1])
            return out
        if taken == max_steps:  # a step past the limit (as :func:`check_runs` counts it)
            break
        cells[head] = step.write
        head += {"L": -1, "R": 1, "N": 0}[step.move]
        state = step.next_state
        out.append((state, head, dict(cells)))
    raise ResourceLimitError(f"input {' '.join(word)[:80]!r} does not halt within {max_steps} steps",
                             limit="max-steps", details={"max_steps": max_steps})


def check_runs(tm: TuringMachine, words: list[tuple[str, ...]], max_steps: int = MAX_RUN_STEPS) -> int:
    """Refuse (exit 3), from fast runs alone, training runs that :func:`observed_triples`
    cannot draw: one that does not halt within ``max_steps``, or more cells to draw in all
    than ``MAX_TRAINING_CELLS`` (each run's rows in each of its tight windows and once two
    cells wider; a run has at most one tight window per cell it spans). Returns that bound."""
    from theorymodel.machines.simulate import simulate

    total = 0
    for word in words:
        run = simulate(tm, word, max_steps=max_steps)
        if not run.halted:
            raise ResourceLimitError(f"{tm.name} does not halt within {max_steps} steps on input "
                                     f"{' '.join(word)[:80]!r}", limit="max-steps", details={"max_steps": max_steps})
        rows = run.steps + 2  # with the halted configuration shown once more
        width = max(run.rightmost_head, len(word) - 1, 0) - min(run.leftmost_head, 0) + 1
        total += rows * (width + 1) * min(width, rows) + rows * (width + 5)
        if total > MAX_TRAINING_CELLS:
            raise ResourceLimitError(f"the training CoTs need more than {MAX_TRAINING_CELLS} cells drawn "
                                     f"(runs of up to {run.steps} steps); give shorter inputs or fewer of them",
                                     limit="size-cap", details={"cap": MAX_TRAINING_CELLS})
    return total


@dataclass(frozen=True)
class TrainingTriples:
    """The generated positions of the training CoTs as distinct ``(left, middle, right,
    next)`` rows (sorted) and how many positions show each: the same multiset as listing
    every position, in memory linear in the distinct rows."""

    rows: np.ndarray  # (N, 4) int64
    counts: np.ndarray  # (N,) int64, each >= 1

    @property
    def positions(self) -> int:
        return int(self.counts.sum())


def observed_triples(tm: TuringMachine, words: list[tuple[str, ...]], token_id: dict[str, int],
                     max_steps: int = MAX_RUN_STEPS) -> TrainingTriples:
    """Every generated position of every training CoT: each prefix of each run (the run cut
    after t - 1 steps, for every t) drawn in the tightest window that holds it (the walls
    next to the head's extremes so far), and the whole run also in a window two cells wider
    on each side, so that walls and open tape both appear in the data. The runs are checked
    first (:func:`check_runs`).

    The prefixes are not drawn one by one: prefixes in the same window share their rows, so
    row pair ``s`` of a window that prefixes ``a..b`` use counts once per prefix that holds
    it (``b - max(a, s + 1) + 1`` of them). The work is linear in the rows times the windows,
    not quadratic in the rows."""
    check_runs(tm, words, max_steps)
    sep = token_id[SEPARATOR]
    base = len(token_id)
    parts: list[tuple[np.ndarray, np.ndarray]] = []  # (rows, weights) not merged yet
    pending = 0
    merged = (np.zeros((0, 4), dtype=np.int64), np.zeros(0, dtype=np.int64))
    for word in words:
        confs = run_configurations(tm, word, max_steps)
        heads = np.array([h for _, h, _ in confs], dtype=np.int64)
        lo_run, hi_run = min(int(heads.min()), 0), max(int(heads.max()), len(word) - 1, 0)
        origin = lo_run - 2  # tape position of column 0: two blank cells beyond the run's extremes
        grid = np.empty((len(confs), hi_run - lo_run + 5), dtype=np.int64)
        for t, (state, head, cells) in enumerate(confs):
            grid[t] = [token_id[cells.get(origin + c, tm.blank_symbol)] for c in range(grid.shape[1])]
            grid[t, head - origin] = token_id[head_token(state, cells.get(head, tm.blank_symbol))]
        lows = np.minimum(np.minimum.accumulate(heads), 0)
        highs = np.maximum(np.maximum.accumulate(heads), max(len(word) - 1, 0))
        windows = []  # (token rows, multiplicity of each row pair)
        t = 2  # prefix lengths t = 2 .. len(confs) (rows 0 .. t - 1)
        while t <= len(confs):
            a, lo, hi = t, int(lows[t - 1]), int(highs[t - 1])
            while t < len(confs) and lows[t] == lo and highs[t] == hi:
                t += 1
            b = t  # prefixes a..b share the window lo..hi
            windows.append((grid[:b, lo - origin:hi - origin + 1], b - np.maximum(a, np.arange(1, b) + 1) + 1))
            t += 1
        windows.append((grid[:, lo_run - origin - 2:hi_run - origin + 3], np.ones(len(confs) - 1, np.int64)))
        for window, multiplicity in windows:  # the last: the whole run, two cells wider
            for part in _window_rows(window, multiplicity, sep):
                parts.append(part)
                pending += len(part[1])
        if pending > 1 << 22:
            merged, parts, pending = _merge([merged, *parts], base), [], 0
    return TrainingTriples(*_merge([merged, *parts], base))


def _window_rows(cells: np.ndarray, multiplicity: np.ndarray, sep: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``(left, middle, right, next)`` rows of one window's CoT (``cells``: its token
    rows) and their weights, row pair ``s`` (rows ``s - 1`` and ``s``) weighted by
    ``multiplicity[s - 1]``: its cells, then its separator (the row's last cell, ``#``, the
    next row's first cell)."""
    n, width = cells.shape
    if n < 2:
        return []
    walled = np.pad(cells, ((0, 0), (1, 1)), constant_values=sep)
    prev, cur = walled[:-1], cells[1:]
    keep = multiplicity > 0
    cell_rows = np.stack([prev[:, :-2], prev[:, 1:-1], prev[:, 2:], cur], axis=2)[keep].reshape(-1, 4)
    wall_rows = np.stack([cells[:-1, width - 1], np.full(n - 1, sep), cells[1:, 0], np.full(n - 1, sep)],
                         axis=1)[keep]
    return [(cell_rows, np.repeat(multiplicity[keep], width)), (wall_rows, multiplicity[keep])]


def _merge(parts: list[tuple[np.ndarray, np.ndarray]], base: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``parts`` (sorted) and their summed weights. Each row of four
    tokens is folded into one int64 key ``((l * base + m) * base + r) * base + n`` for the
    sort, unless a key could pass 2^63 (a dictionary of more than 55,108 tokens): then the
    rows are sorted whole, more slowly."""
    rows = np.concatenate([r for r, _ in parts])
    weights = np.concatenate([w for _, w in parts])
    if base**4 >= 1 << 63:
        distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
    else:
        keys, inverse = np.unique(((rows[:, 0] * base + rows[:, 1]) * base + rows[:, 2]) * base + rows[:, 3],
                                  return_inverse=True)
        distinct = np.stack([keys // base**3, keys // base**2 % base, keys // base % base, keys % base], axis=1)
    return distinct.reshape(-1, 4), np.bincount(inverse.ravel(), weights=weights, minlength=len(distinct)
                                                ).round().astype(np.int64)


@dataclass(frozen=True)
class UniformLearnResult:
    rule: UniformRule  # the table as the file stores it, read back exactly
    words: int
    seen: frozenset[tuple[int, int, int]]  # the (left, middle, right) triples of the training CoTs
    samples: int  # generated positions in the training CoTs
    seconds: float
    file: bytes = b""  # the tile file (uniform LinearModel) holding the learned weights
    training: dict[str, Any] | None = None  # the SGD run: steps, loss, when the lemma first held

    @property
    def triples_seen(self) -> int:
        return len(self.seen)

    def to_json(self) -> dict[str, Any]:
        return {"training_inputs": self.words, "training_positions": self.samples,
                "triples_seen": self.triples_seen, "learn_seconds": round(self.seconds, 6),
                "table": {"vocab_size": self.rule.V, "nnz": self.rule.nnz},
                **({"sgd": self.training} if self.training else {})}


SGD_STEPS = 3000
SGD_LR = 0.05
SGD_CHECK_EVERY = 50
FILE_LAYOUT = UniformLayout(4, 1)  # the width stored in a learned tile file: the table is the same for any width
FILE_CONTEXT = FILE_LAYOUT.width + 2 + 64 * (FILE_LAYOUT.width + 1)  # its context: the prompt and 64 rows


def _tile_rule(tm: TuringMachine, data: bytes) -> UniformRule:
    """The tile file's table, read back exactly (the rule every check sees)."""
    from proofs_check.uniform.invariance import rule_for_machine, tile_table
    from theorymodel.predictor.export import _read_npz_bytes

    return rule_for_machine(tm, tile_table(_read_npz_bytes(data), "learned table"))


def output_features(n_symbols: int, n_states: int) -> np.ndarray:
    """The output side of the tied model, token by feature (0/1), in the canonical order of
    :func:`theorymodel.program.uniform.uniform_vocab`: a cell token has its tape symbol and
    "no head"; a head token ``[q]s`` has ``s`` and the state ``q``; ``#`` has a feature of
    its own. Features: the symbols, the states, "no head", ``#``."""
    G, Q = n_symbols, n_states
    V = 1 + G + Q * G
    F = np.zeros((V, G + Q + 2))
    F[0, G + Q + 1] = 1
    for c in range(G):
        F[1 + c, c] = F[1 + c, G + Q] = 1
        for q in range(Q):
            F[1 + G + q * G + c, c] = F[1 + G + q * G + c, G + q] = 1
    return F


def sgd_tied(tm: TuringMachine, data: TrainingTriples, vocab: tuple[str, ...], seed: int, *, steps: int = SGD_STEPS,
             lr: float = SGD_LR, check_every: int = SGD_CHECK_EVERY) -> tuple[bytes, dict[str, Any]]:
    """The tied linear model (identity embeddings, one shared block at the three offsets,
    softmax cross-entropy over every generated position), by full-batch Adam in numpy.

    Its outputs are factored: the weights into token ``d`` are the sum of the weights into
    ``d``'s features (:func:`output_features`), so a token's score is its symbol's score
    plus its state's (a cell's "state" being "no head"), and ``#`` scores on its own. Each
    part is still linear in the three one-hot tokens above, and the table written is the
    full ``(3, |V|, |V|)`` block, so the model is the paper's linear predictor with its
    weights tied. The constructed table (docs/uniform.md, "The rule") has this form.
    Sharing is what carries "a head in state q arrives from the right" over to a token
    ``[q]s`` that training never showed there (docs/uniform.md, "Arithmetic of any length").

    Every ``check_every`` steps the float32 weights are written as a tile file, read back
    exactly and the lemma decided on them by enumeration; training stops when it holds
    (z3 proves the file after)."""
    import scipy.sparse as sp

    from proofs_check.uniform.proof import lemma_exhaustive
    from theorymodel.predictor.uniform_file import model_file_bytes

    V = len(vocab)
    G, Q = len(tm.tape_symbols), len(tm.states)
    F = output_features(G, Q)
    rows, counts = data.rows, data.counts
    N = len(rows)
    weight = (counts / counts.sum())[:, None]
    # The softmax never forms an (N, |V|) array: every (symbol, state-or-no-head) pair is a
    # token and its score is the sum of the two parts, so the partition function factors,
    # Z = (sum_s e^{a_s}) (sum_q e^{b_q}) + e^{c} (c: the separator's score), and each
    # step costs O(N features). The gradient scatters back through the one-hots'
    # transposes (sparse). The same model and loss as the full softmax, to rounding.
    scatter = [sp.csr_matrix((np.ones(N), (rows[:, j], np.arange(N))), shape=(V, N)) for j in range(3)]
    target_features = F[rows[:, 3]]  # (N, features), 0/1
    rng = np.random.default_rng(seed)  # a seeded tiny start, so that seeds differ
    features = F.shape[1]
    params: list[np.ndarray] = [rng.normal(0, 1e-3, (features, V)) for _ in range(3)]
    params.append(rng.normal(0, 1e-3, (features,)))
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    eye = np.eye(V, dtype=np.float32)
    started = time.perf_counter()
    file, proved_at, loss, step = b"", None, float("nan"), 0
    for step in range(1, steps + 1):
        hidden = params[0].T[rows[:, 0]] + params[1].T[rows[:, 1]] + params[2].T[rows[:, 2]] + params[3]
        sym, state, sep = hidden[:, :G], hidden[:, G:G + Q + 1], hidden[:, G + Q + 1]
        sym_max, state_max = sym.max(axis=1), state.max(axis=1)
        e_sym, e_state = np.exp(sym - sym_max[:, None]), np.exp(state - state_max[:, None])
        sum_sym, sum_state = e_sym.sum(axis=1), e_state.sum(axis=1)
        top = np.maximum(sym_max + state_max, sep)
        pair = sum_sym * sum_state * np.exp(sym_max + state_max - top)  # Z's token part, scaled by e^-top
        lone = np.exp(sep - top)  # Z's separator part, the same scale
        z = pair + lone
        loss = float((weight[:, 0] * (top + np.log(z) - (hidden * target_features).sum(axis=1))).sum())
        share = (pair / z)[:, None]
        g_features = np.concatenate([e_sym / sum_sym[:, None] * share, e_state / sum_state[:, None] * share,
                                     (lone / z)[:, None]], axis=1)
        g_features -= target_features
        g_features *= weight  # (N, features): the cross-entropy's gradient at the feature scores
        grads = [np.asarray(scatter[j] @ g_features).T for j in range(3)] + [g_features.sum(axis=0)]
        for i, gr in enumerate(grads):  # Adam
            m[i] = 0.9 * m[i] + 0.1 * gr
            v[i] = 0.999 * v[i] + 0.001 * gr * gr
            params[i] -= lr * (m[i] / (1 - 0.9**step)) / (np.sqrt(v[i] / (1 - 0.999**step)) + 1e-8)
        if step % check_every == 0 or step == steps:
            file = model_file_bytes(vocab, in_embedding=eye, kernel=np.stack([F @ params[j] for j in range(3)]),
                                    bias=F @ params[3], out_weight=eye, out_bias=np.zeros(V),
                                    layout=FILE_LAYOUT, context_length=FILE_CONTEXT)
            if lemma_exhaustive(tm, _tile_rule(tm, file)).verified:
                proved_at = step
                break
    return file, {"steps": step, "proved_at_step": proved_at, "loss": round(loss, 6), "lr": lr,
                  "max_steps": steps, "optimizer": "Adam, full batch", "weights": "float32",
                  "outputs": "factored: symbol + state", "parameters": 3 * V * V + V,
                  "free_parameters": 3 * features * V + features,
                  "train_seconds": round(time.perf_counter() - started, 3)}


def learn_uniform(tm: TuringMachine, *, lengths: tuple[int, int], samples: int | None = None, learner: str = "lp",
                  seed: int = 0) -> UniformLearnResult:
    """Fit the shared table on the triples of the training CoTs: ``lp`` and ``perceptron``
    give exact integer weights; ``sgd`` trains the tied linear model's float32 weights
    (:func:`sgd_tied`). Either way the result's rule is the tile file's, read back exactly."""
    from theorymodel.predictor.uniform_file import uniform_file_bytes

    if learner not in LEARNERS:
        raise UsageError(f"unknown learner {learner!r}; learners are {', '.join(LEARNERS)}")
    start = time.perf_counter()
    check_spellings(tm)
    vocab, symbol_token, head = uniform_vocab(tm.tape_symbols, tm.states)
    token_id = {t: i for i, t in enumerate(vocab)}
    words = training_words(tm, lengths, samples, seed)
    data = observed_triples(tm, words, token_id)
    if not len(data.rows):
        raise UsageError("the training runs show no generated position: give longer inputs")
    seen = frozenset((lt, m, r) for lt, m, r in data.rows[:, :3].tolist())
    if learner == "sgd":
        file, training = sgd_tied(tm, data, vocab, seed)
        return UniformLearnResult(_tile_rule(tm, file), len(words), seen, data.positions, time.perf_counter() - start,
                                  file, training)
    V = len(vocab)
    features = np.array([(q, t) for q in range(3) for t in range(V)], dtype=np.int64)
    rule = fit_position(data.rows, 3, learner, seed=seed, features=features, counts=data.counts)
    tables = np.zeros((3, V, V), dtype=np.int64)
    reach = int(np.abs(rule.weights).sum(axis=1).max(initial=0) + np.abs(rule.bias).max(initial=0))
    bias = np.full(V, -(2 * reach + 1), dtype=np.int64)  # tokens never seen as a next token never win
    for ci, d in enumerate(rule.classes.tolist()):
        bias[d] = int(rule.bias[ci])
        for (q, t), w in zip(rule.features.tolist(), rule.weights[ci].tolist(), strict=True):
            tables[q, d, t] += int(w)
    learned = UniformRule(vocab, tm.tape_symbols, tm.states, tm.blank_symbol, tm.initial_state, symbol_token, head,
                          tables[0], tables[1], tables[2], bias)
    file = uniform_file_bytes(vocab, (learned.left, learned.middle, learned.right, learned.bias), FILE_LAYOUT,
                              context_length=FILE_CONTEXT)
    return UniformLearnResult(_tile_rule(tm, file), len(words), seen, data.positions, time.perf_counter() - start,
                              file)


def learn_uniform_report(tm: TuringMachine, *, lengths: tuple[int, int], samples: int | None = None,
                         learner: str = "lp", seed: int = 0, method: str = "auto", max_n: int | None = None,
                         out: str | None = None) -> dict[str, Any]:
    """Learn the shared table from short runs, then prove it for every length
    (:func:`proofs_check.uniform.verify_uniform`); if the proof fails, search inputs up to
    ``max_n`` (default: four beyond training) for a replayed counterexample. ``out``: a
    folder for ``uniform.npz``, the tile file whose table was proved (``verify --uniform``
    re-checks it)."""
    from proofs_check.uniform.proof import domain, domain_sizes, search_counterexample, search_report, verify_uniform
    from theorymodel.progress import stage

    stage(f"learning the table from inputs of length {lengths[0]}..{lengths[1]} ({learner})")
    result = learn_uniform(tm, lengths=lengths, samples=samples, learner=learner, seed=seed)
    written: list[str] = []
    rule = result.rule
    stage("proving the learned table for every length")
    verdict = verify_uniform(tm, rule, method=method)
    unseen = [t for t in domain(tm, rule) if t not in result.seen]
    arr = np.array(unseen, dtype=np.int64).reshape(-1, 3)
    default, _ = rule.next_tokens(arr[:, 0], arr[:, 1], arr[:, 2])
    report: dict[str, Any] = {
        "machine": tm.name, "learner": learner, "train_n": list(lengths), "samples": samples, "seed": seed,
        **result.to_json(),
        "triples_never_seen": len(unseen),
        "never_seen_examples": [{"triple": [rule.vocab[x] for x in t], "default": rule.vocab[int(d)]}
                                for t, d in zip(unseen[:10], default.tolist(), strict=False)],
        **verdict.to_json(),
        "domain_sizes": {**domain_sizes(tm, rule), "observed": result.triples_seen},
        "counterexample": None,
        "written": written,
    }
    if not verdict.verified:
        limit = lengths[1] + 4 if max_n is None else max_n
        cex = search_counterexample(tm, rule, max_n=limit)
        report["counterexample"] = None if cex is None else cex.to_json()
        report["search"] = search_report(tm, limit, cex is not None)
    if out is not None:  # written last: an interrupted run leaves no file (docs/contract.md)
        from pathlib import Path

        from theorymodel.io import atomic_write

        written.append(str(atomic_write(Path(out) / "uniform.npz", result.file)))
    return report
