"""Add or multiply with a uniform tile file, reading nothing but its arrays.

    python examples/arithmetic_from_npz.py D/uniform.npz + --bits 16 --pairs 100
    python examples/arithmetic_from_npz.py D/uniform.npz '*' --bits 16 --pairs 100

The file is the one ``theorymodel learn binary_addition --route uniform --learner sgd
--out D`` writes (or ``theorymodel compile binary_addition --n 4 --route uniform
--export-linearlm D/uniform.npz``, the constructed table). This script imports
numpy only: it is what a reader of the file would write from its layout
(docs/uniform.md, "The route, its export, and any predictor file").

- The prompt is ``#``, row 0, ``#``: row 0 is blanks, the word ``x+y`` (or ``x*y``) with
  the start head ``[vx]`` on its first symbol, then blanks.
- Each later token reads the tokens ``1 + o`` back for the file's three offsets ``o``
  (``linear1.kernel_offsets``): in a row of ``W`` cells and a ``#``, those are the three
  cells above it, ``#`` beyond the row's ends. Its logits are
  ``out . (sum_j K_j emb[x_j] + b) + b_out``; the next token is the argmax, and a tie is
  an error. A row's cells read only the row above, so a row is computed at once.
- A row equal to the one above is a halted configuration. The answer is that row's
  symbols, blanks stripped, with the head in state ``done``.

The result is one line on stdout. A 64-bit run takes about a minute: meanwhile a progress
line goes to stderr every ``--progress`` seconds (default 5; ``--quiet`` for none).

Exit 0 when every pair is right, 1 otherwise.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import numpy as np


def load(path: str) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def read_table(z: dict[str, np.ndarray]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The dictionary and the score blocks of the cell left of, above and right of the new
    cell (next token by token read), and the bias. Position p reads p-1-o for the file's
    offsets o: with rows of W cells and a '#', offsets W+1, W, W-1 are those three cells
    in the row before."""
    emb = z["in_embedding.weight"].astype(np.float64)
    out = z["out_embedding.weight"].astype(np.float64)
    blocks = [out @ z["linear1.kernel"][j].astype(np.float64) @ emb.T for j in range(3)]
    bias = out @ z["linear1.bias"].astype(np.float64) + z["out_embedding.bias"].astype(np.float64)
    offsets = [int(o) for o in z["linear1.kernel_offsets"]]
    shift = {o - int(z["width"]): j for j, o in enumerate(offsets)}  # 1, 0, -1: left, above, right
    if sorted(shift) != [-1, 0, 1]:
        raise ValueError(f"offsets {offsets} are not W+1, W, W-1 for its width {int(z['width'])}")
    vocab = [str(v) for v in z["vocab"]]
    return vocab, blocks[shift[1]], blocks[shift[0]], blocks[shift[-1]], bias


def answer(table: tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray], word: str,
           max_rows: int) -> str | None:
    """The decoded answer of the roll-out on ``word``, or None (a tie, no halt, not ``done``)."""
    vocab, left, mid, right, bias = table
    tid = {t: i for i, t in enumerate(vocab)}
    width = 2 * len(word) + 4  # roomy: the claim holds in every window the run stays in
    offset = len(word) + 2
    row = np.full(width, tid["_"])
    for i, s in enumerate(word):
        row[offset + i] = tid[s]
    row[offset] = tid[f"[vx]{word[0]}"] if word else tid["[vx]_"]
    sep = tid["#"]
    for _ in range(max_rows):
        walled = np.concatenate([[sep], row, [sep]])
        logits = left[:, walled[:-2]] + mid[:, walled[1:-1]] + right[:, walled[2:]] + bias[:, None]
        best = logits.argmax(axis=0)
        if ((logits == logits[best, np.arange(width)]).sum(axis=0) > 1).any():
            return None
        # the '#' closing the row reads (last cell above, '#', this row's first cell)
        closing = left[:, row[-1]] + mid[:, sep] + right[:, best[0]] + bias
        if closing.argmax() != sep or (closing == closing[sep]).sum() > 1:
            return None
        if (best == row).all():
            cells = [vocab[t] for t in row]
            heads = [c for c in cells if c.startswith("[")]
            if len(heads) != 1 or not heads[0].startswith("[done]"):
                return None
            return "".join(c.split("]")[-1] for c in cells).strip("_")
        row = best
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("op", choices=["+", "*"])
    parser.add_argument("--bits", type=int, default=16)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--progress", type=float, default=5.0, metavar="S",
                        help="seconds between progress lines on stderr (0: after every pair)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args()
    try:
        table = read_table(load(args.file))
    except (OSError, KeyError, ValueError, IndexError) as e:
        print(f"error: {args.file}: not a uniform tile file ({e})", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    right = 0
    start = last = time.monotonic()
    for k in range(1, args.pairs + 1):
        x, y = rng.getrandbits(args.bits) | 1 << (args.bits - 1), rng.getrandbits(args.bits) | 1 << (args.bits - 1)
        want = x + y if args.op == "+" else x * y
        got = answer(table, f"{x:b}{args.op}{y:b}", max_rows=40 * (2 * args.bits + 4) ** 2)
        right += got == f"{want:b}"
        now = time.monotonic()
        if not args.quiet and k < args.pairs and now - last >= args.progress:
            print(f"{k}/{args.pairs} pairs done, {right} right, {now - start:.0f} s", file=sys.stderr, flush=True)
            last = now
    print(f"{right}/{args.pairs} pairs of {args.bits}-bit operands right")
    return 0 if right == args.pairs else 1


if __name__ == "__main__":
    sys.exit(main())
