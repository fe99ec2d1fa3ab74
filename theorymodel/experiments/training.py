"""Training the paper's predictors: AdamW, a linear schedule with warm-up, gradient
clipping and accumulation, resumable checkpoints written atomically, progress bars,
cuda (bf16 autocast) when present. Evaluation decodes greedily from the prompt."""

from __future__ import annotations

import contextlib
import io
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from theorymodel.errors import UsageError
from theorymodel.experiments import multiply as mul
from theorymodel.experiments.models import LinearLM
from theorymodel.io import atomic_write
from theorymodel.progress import ProgressBar


@dataclass
class TrainConfig:
    digits: int = 2
    cot: str = "fine"
    model: str = "linear"
    d: int = 64
    steps: int = 1500
    batch: int = 256
    accumulate: int = 1
    lr: float = 1e-3
    weight_decay: float = 0.1
    warmup: int = 50
    clip: float = 1.0
    seed: int = 0
    device: str = "cpu"
    eval_pairs: int = 2000
    extra: dict[str, Any] = field(default_factory=dict)


def _device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        from theorymodel.errors import UsageError

        raise UsageError("--device cuda: no CUDA device is available here")
    return torch.device(name)


def save_checkpoint(path: Path, model: LinearLM, opt: torch.optim.Optimizer, sched, step: int,
                    cfg: TrainConfig) -> None:
    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step,
                "config": asdict(cfg), "rng": torch.get_rng_state()}, buf)
    atomic_write(path, buf.getvalue())


TRAIN_POOL = 600_000  # training sequences held in memory (all of them up to 3x3 digits)


def multiply_data(cfg: TrainConfig) -> tuple[list[str], torch.Tensor, torch.Tensor, mul.Layout]:
    """Token ids (int16: the dictionaries are small) of the training pool and of the
    validation pairs that are decoded."""
    vocab = mul.vocabulary(cfg.cot, cfg.digits)

    def encode(ps: list[tuple[int, int]]) -> torch.Tensor:
        return torch.tensor(mul.encode((mul.sequence(cfg.cot, a, b, cfg.digits) for a, b in ps), vocab),
                            dtype=torch.int16)

    train = encode(mul.sample_pairs(cfg.digits, "train", TRAIN_POOL, cfg.seed))
    val = encode(mul.sample_pairs(cfg.digits, "val", cfg.eval_pairs, cfg.seed))
    return vocab, train, val, mul.layout(cfg.cot, cfg.digits)


@torch.no_grad()
def evaluate(model: LinearLM, val: torch.Tensor, lay: mul.Layout, device: torch.device) -> dict[str, Any]:
    """Exact match and per-digit accuracy by greedy decoding from the prompt; teacher-forced
    accuracy per CoT segment (where a model fails)."""
    model.eval()
    exact, digit_hits, forced = 0, 0, {k: 0 for k in lay.segments}
    for lo in range(0, len(val), 512):
        batch = val[lo:lo + 512].to(device).long()
        out = model.greedy(batch[:, : lay.prompt], lay.length)
        ans = slice(lay.answer.start, lay.answer.stop)
        hit = out[:, ans] == batch[:, ans]
        exact += int(hit.all(dim=1).sum())
        digit_hits += int(hit.sum())
        pred = model(batch[:, :-1]).argmax(-1)  # position t predicts t + 1
        right = pred == batch[:, 1:]
        for name, seg in lay.segments.items():
            forced[name] += int(right[:, seg.start - 1: seg.stop - 1].sum())
    model.train()
    n = len(val)
    return {"exact_match": exact / n, "digit_accuracy": digit_hits / (n * len(lay.answer)),
            "teacher_forced": {k: v / (n * len(lay.segments[k])) for k, v in forced.items()}}


def optimise(model: LinearLM, batch_loss, cfg: TrainConfig, *, checkpoint: Path | None = None,
             progress: bool = True, label: str = "training") -> tuple[int, list[dict[str, float]]]:
    """AdamW with linear warm-up and decay, clipping, accumulation, atomic resumable
    checkpoints. ``batch_loss(step, generator)`` returns the loss of one micro-batch.
    Returns the sequences seen in this run and the loss curve."""
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    def schedule(step: int) -> float:
        if step < cfg.warmup:
            return (step + 1) / cfg.warmup
        return max(0.0, (cfg.steps - step) / max(1, cfg.steps - cfg.warmup))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    step = 0
    if checkpoint is not None and checkpoint.exists():
        # weights_only: tensors and plain containers only, so a crafted file runs nothing
        try:
            state = torch.load(checkpoint, map_location=next(model.parameters()).device, weights_only=True)
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["opt"])
            sched.load_state_dict(state["sched"])
            step = int(state["step"])
            torch.set_rng_state(state["rng"].cpu())
        except Exception as exc:  # torch raises many types for a foreign or corrupt file
            raise UsageError(f"--checkpoint {checkpoint} is not a checkpoint of this experiment "
                             f"({type(exc).__name__})") from None
    gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + step)
    device = next(model.parameters()).device
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else contextlib.nullcontext()
    curve: list[dict[str, float]] = []
    sequences = 0
    with ProgressBar(label, cfg.steps, completed=step, enabled=progress, columns=("loss {task.fields[loss]:.4f}",),
                     loss=float("nan")) as bar:
        while step < cfg.steps:
            opt.zero_grad(set_to_none=True)
            total = 0.0
            for _ in range(cfg.accumulate):
                with autocast:
                    loss = batch_loss(step, gen) / cfg.accumulate
                loss.backward()
                total += float(loss.detach())
                sequences += cfg.batch
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0 or step == cfg.steps:
                curve.append({"step": step, "loss": total})
            if checkpoint is not None and (step % 200 == 0 or step == cfg.steps):
                save_checkpoint(checkpoint, model, opt, sched, step, cfg)
            bar.update(step, loss=total)
    return sequences, curve


def train_multiply(cfg: TrainConfig, *, checkpoint: Path | None = None, progress: bool = True) -> dict[str, Any]:
    torch.manual_seed(cfg.seed)
    device = _device(cfg.device)
    vocab, train, val, lay = multiply_data(cfg)
    model = LinearLM(len(vocab), lay.length - 1, cfg.d, mlp=cfg.model == "mlp").to(device)
    loss_fn = torch.nn.CrossEntropyLoss()

    def batch_loss(step: int, gen: torch.Generator) -> torch.Tensor:
        batch = train[torch.randint(0, len(train), (cfg.batch,), generator=gen)].to(device).long()
        logits = model(batch[:, :-1])
        # the loss covers generated tokens only (the prompt is given)
        return loss_fn(logits[:, lay.prompt - 1:].reshape(-1, len(vocab)).float(), batch[:, lay.prompt:].reshape(-1))

    start = time.perf_counter()
    sequences, curve = optimise(model, batch_loss, cfg, checkpoint=checkpoint, progress=progress,
                                label=f"{cfg.digits}x{cfg.digits} {cfg.cot} {cfg.model}")
    metrics = evaluate(model, val, lay, device)
    counts = model.parameter_counts()
    return {"digits": cfg.digits, "model": cfg.model, "cot": cfg.cot, "params_effective": counts["effective"],
            "params_stored": counts["stored"], "train_sequences": sequences, **metrics,
            "seconds": round(time.perf_counter() - start, 3), "steps": cfg.steps, "d": cfg.d,
            "context_length": lay.length, "vocab_size": len(vocab), "train_pairs": len(train),
            "validation_pairs": len(val), "device": device.type, "curve": curve}
