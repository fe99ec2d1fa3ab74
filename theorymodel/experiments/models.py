"""The paper's next-token predictors in torch (docs/paper.md, Experiments).

``LinearLM``: token embedding of width d, one masked ``(T*d) x (T*d)`` layer where
output position t reads input positions <= t, output embedding back to the dictionary.
Its state dict uses the contract's names (``in_embedding.weight``, ``linear1.weight``,
``linear1.bias``, ``out_embedding.weight``, ``out_embedding.bias``), so analytic
predictors exported by ``--export-linearlm`` load into it unchanged.

``MLPLM``: the same layer, then ReLU and a d x d layer per position.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn


class LinearLM(nn.Module):
    mask: torch.Tensor  # a registered buffer: the block lower-triangular mask

    def __init__(self, vocab: int, T: int, d: int, *, mlp: bool = False) -> None:
        super().__init__()
        self.V, self.T, self.d, self.mlp = vocab, T, d, mlp
        self.in_embedding = nn.Embedding(vocab, d)
        self.linear1 = nn.Linear(T * d, T * d)
        self.out_embedding = nn.Linear(d, vocab)
        mask = torch.kron(torch.tril(torch.ones(T, T)), torch.ones(d, d))
        self.register_buffer("mask", mask, persistent=False)
        with torch.no_grad():  # the masked layer starts near "read the current position"
            self.linear1.weight.mul_(0.5 / np.sqrt(T))
        if mlp:
            self.per_position = nn.Parameter(torch.randn(T, d, d) / np.sqrt(d))
            self.per_position_bias = nn.Parameter(torch.zeros(T, d))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits (batch, t, V) for tokens (batch, t), t <= T; position t predicts t + 1."""
        B, t = tokens.shape
        x = self.in_embedding(tokens)  # (B, t, d)
        if t < self.T:
            x = torch.cat([x, x.new_zeros(B, self.T - t, self.d)], dim=1)
        h = nn.functional.linear(x.reshape(B, self.T * self.d), self.linear1.weight * self.mask, self.linear1.bias)
        h = h.reshape(B, self.T, self.d)[:, :t]
        if self.mlp:
            h = torch.einsum("btd,tde->bte", torch.relu(h), self.per_position[:t]) + self.per_position_bias[:t]
        return self.out_embedding(h)

    def parameter_counts(self) -> dict[str, int]:
        """``stored``: every entry held; ``effective``: the masked layer's lower block triangle only."""
        stored = sum(p.numel() for p in self.parameters())
        T, d = self.T, self.d
        masked_out = (T * d) ** 2 - (T * (T + 1) // 2) * d * d
        return {"stored": stored, "effective": stored - masked_out}

    @torch.no_grad()
    def greedy(self, prompt: torch.Tensor, length: int) -> torch.Tensor:
        """Greedy decoding of a batch of prompts (batch, p) up to ``length`` tokens."""
        seq = prompt
        while seq.shape[1] < length:
            nxt = self(seq)[:, -1].argmax(dim=-1, keepdim=True)
            seq = torch.cat([seq, nxt], dim=1)
        return seq


def load_linearlm(path: str | Path) -> tuple[LinearLM, dict[str, Any]]:
    """A ``--export-linearlm`` file as a ``LinearLM`` (float64, so exact integer weights stay exact)."""
    z = np.load(path, allow_pickle=False)
    emb = z["in_embedding.weight"]
    T = int(z["context_length"])
    model = LinearLM(emb.shape[0], T, emb.shape[1]).double()
    state = {k: torch.from_numpy(np.asarray(z[k], dtype=np.float64))
             for k in ("in_embedding.weight", "linear1.weight", "linear1.bias", "out_embedding.weight",
                       "out_embedding.bias")}
    model.load_state_dict(state)
    extras = {k: z[k] for k in z.files if k not in state}
    return model, extras
