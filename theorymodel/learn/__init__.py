"""Learning linear next-token predictors from CoT samples (docs/paper.md Thm 3.3), verified
like constructed ones: sources, per-position learners, the trainer, experiments. Names
load on first use (theorymodel/_lazy.py)."""

from typing import TYPE_CHECKING

from theorymodel._lazy import lazy_exports

if TYPE_CHECKING:
    from theorymodel.learn.learners import LEARNERS, fit_position
    from theorymodel.learn.sources import CoTSource, compiled, from_jsonl, parity_cascade, resolve_source
    from theorymodel.learn.train import LearnResult, learn, verify_learned

__all__ = ["LEARNERS", "CoTSource", "LearnResult", "compiled", "fit_position", "from_jsonl", "learn",
           "parity_cascade", "resolve_source", "verify_learned"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "LEARNERS": "theorymodel.learn.learners", "fit_position": "theorymodel.learn.learners",
    **{name: "theorymodel.learn.sources" for name in ("CoTSource", "compiled", "from_jsonl", "parity_cascade",
                                                        "resolve_source")},
    **{name: "theorymodel.learn.train" for name in ("LearnResult", "learn", "verify_learned")},
})
