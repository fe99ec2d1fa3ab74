"""The CoT program: the immutable intermediate form between the compilers and the
predictors (arXiv 2309.06979, Thm 3.8: one token per gate). It imports no compiler,
predictor or checker; they import it."""

from theorymodel.program import labels
from theorymodel.program.cot import (
    ANSWER_KINDS,
    UNDECODABLE,
    AcceptRule,
    Answer,
    AnswerKind,
    CellRule,
    CoTProgram,
    LinearForm,
    MapRule,
    Rule,
    SharedRule,
    ThresholdRule,
    answer_cells,
    answer_kind,
    check_answer,
    decode_answer,
    encode_words,
    token_ids,
)

__all__ = [
    "ANSWER_KINDS", "UNDECODABLE", "AcceptRule", "Answer", "AnswerKind", "CellRule", "CoTProgram", "LinearForm",
    "MapRule", "Rule", "SharedRule", "ThresholdRule", "answer_cells", "answer_kind", "check_answer", "decode_answer",
    "encode_words", "labels", "token_ids",
]
