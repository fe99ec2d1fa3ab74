"""A linear language model (docs/paper.md: LinearLM on TinyStories), at a size for a CPU.

The default corpus ships with every Python: the English text of the standard library's
``pydoc_data`` topics (about 465K characters). ``--corpus FILE`` reads any UTF-8 text
(TinyStories' ``TinyStories-valid.txt`` when the user has it). Tokens are characters.
Validation perplexity (last 10% of the text) is set against unigram and bigram models
(add-one smoothing) estimated on the same training text.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from theorymodel.errors import UsageError
from theorymodel.experiments.models import LinearLM
from theorymodel.experiments.training import TrainConfig, _device, optimise

MAX_CORPUS = 64 << 20


def load_corpus(path: str | None) -> tuple[str, str]:
    if path is None:
        import pydoc_data.topics as topics

        return "\n".join(topics.topics[k] for k in sorted(topics.topics)), "python pydoc_data topics"
    from theorymodel.io import read_utf8

    # a regular file of at most MAX_CORPUS bytes (a device or a pipe is refused at once)
    return read_utf8(path, cap=MAX_CORPUS, what="corpus"), str(path)


def baselines(train: np.ndarray, val: np.ndarray, V: int) -> dict[str, float]:
    uni = np.bincount(train, minlength=V) + 1.0
    uni /= uni.sum()
    big = np.ones((V, V))
    np.add.at(big, (train[:-1], train[1:]), 1.0)
    big /= big.sum(axis=1, keepdims=True)
    return {"unigram": float(np.exp(-np.log(uni[val]).mean())),
            "bigram": float(np.exp(-np.log(big[val[:-1], val[1:]]).mean()))}


def train_text(cfg: TrainConfig, corpus: str | None = None, *, context: int = 64, sample_chars: int = 300,
               progress: bool = True) -> dict[str, Any]:
    text, source = load_corpus(corpus)
    if len(text) < 20 * (context + 1):
        raise UsageError(f"the corpus is too short ({len(text)} characters) for --context {context}")
    chars = sorted(set(text))
    tid = {c: i for i, c in enumerate(chars)}
    data = np.array([tid[c] for c in text], dtype=np.int64)
    cut = int(len(data) * 0.9)
    train, val = torch.from_numpy(data[:cut]), torch.from_numpy(data[cut:])
    torch.manual_seed(cfg.seed)
    device = _device(cfg.device)
    model = LinearLM(len(chars), context, cfg.d).to(device)
    loss_fn = torch.nn.CrossEntropyLoss()

    def windows(src: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
        return torch.stack([src[s:s + context + 1] for s in starts.tolist()]).to(device)

    def batch_loss(step: int, gen: torch.Generator) -> torch.Tensor:
        batch = windows(train, torch.randint(0, len(train) - context - 1, (cfg.batch,), generator=gen))
        logits = model(batch[:, :-1])
        return loss_fn(logits.reshape(-1, len(chars)).float(), batch[:, 1:].reshape(-1))

    start = time.perf_counter()
    sequences, curve = optimise(model, batch_loss, cfg, progress=progress, label="linear LM")
    model.eval()
    with torch.no_grad():
        starts = torch.arange(0, len(val) - context - 1, context)
        nll, count = 0.0, 0
        for lo in range(0, len(starts), 256):
            batch = windows(val, starts[lo:lo + 256])
            logits = model(batch[:, :-1]).float()
            nll += float(torch.nn.functional.cross_entropy(logits.reshape(-1, len(chars)), batch[:, 1:].reshape(-1),
                                                           reduction="sum"))
            count += batch[:, 1:].numel()
        prompt = val[:context // 2].unsqueeze(0).to(device)
        seq = prompt
        gen = torch.Generator(device="cpu").manual_seed(cfg.seed)
        out = []
        for _ in range(sample_chars):
            logits = model(seq[:, -context:] if seq.shape[1] > context else seq)[:, -1].float().cpu()
            nxt = torch.multinomial(torch.softmax(logits, -1), 1, generator=gen)
            out.append(chars[int(nxt)])
            seq = torch.cat([seq, nxt.to(device)], dim=1)
    counts = model.parameter_counts()
    return {"corpus": source, "characters": len(text), "vocab_size": len(chars), "context": context, "d": cfg.d,
            "params_effective": counts["effective"], "params_stored": counts["stored"],
            "train_sequences": sequences, "steps": cfg.steps,
            "val_perplexity": math.exp(nll / count),
            "baselines": baselines(data[:cut], data[cut:], len(chars)),
            "prompt": "".join(chars[int(t)] for t in val[:context // 2]), "sample": "".join(out),
            "seconds": round(time.perf_counter() - start, 3), "curve": curve}
