"""Learning linear next-token predictors from CoT samples (docs/paper.md Thm 3.3), verified
like constructed ones: sources, per-position learners, the trainer, experiments."""

from theorymodel.learn.learners import LEARNERS, fit_position
from theorymodel.learn.sources import CoTSource, compiled, from_jsonl, parity_cascade, resolve_source
from theorymodel.learn.train import LearnResult, learn, verify_learned

__all__ = ["LEARNERS", "CoTSource", "LearnResult", "compiled", "fit_position", "from_jsonl", "learn",
           "parity_cascade", "resolve_source", "verify_learned"]
