"""An independent, plain-numpy re-implementation of the paper's LinearModel forward
pass (token embedding, masked (T*d) x (T*d) linear layer, output embedding) with greedy
decoding. Written from the contract's (docs/contract.md) description only: it shares no code with
theorymodel.predictor."""

from __future__ import annotations

import numpy as np


def greedy_decode(state: dict, prompt: list[int]) -> tuple[list[int], bool]:
    """Decode until the context is full. Returns (sequence, every argmax strict)."""
    emb = state["in_embedding.weight"].astype(np.float64)
    W = state["linear1.weight"].astype(np.float64)
    b = state["linear1.bias"].astype(np.float64)
    Wo = state["out_embedding.weight"].astype(np.float64)
    bo = state["out_embedding.bias"].astype(np.float64)
    T = int(state["context_length"])
    d = emb.shape[1]
    mask = np.kron(np.tril(np.ones((T, T))), np.ones((d, d)))  # output t reads inputs <= t
    Wm = W * mask
    seq = list(prompt)
    strict = True
    while len(seq) < T:
        x = np.zeros(T * d)
        for pos, tok in enumerate(seq):
            x[pos * d:(pos + 1) * d] = emb[tok]
        t = len(seq) - 1  # output position t predicts token t + 1
        rows = slice(t * d, (t + 1) * d)  # the layer's output block t (the rest is not read)
        h = Wm[rows] @ x + b[rows]
        logits = Wo @ h + bo
        best = int(np.argmax(logits))
        if np.sum(logits == logits[best]) > 1:
            strict = False
        seq.append(best)
    return seq, strict
