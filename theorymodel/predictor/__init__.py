"""Linear next-token predictors: exact analytic weights, roll-out, export/import."""

from theorymodel.predictor.export import load, save_linearlm, save_predictor
from theorymodel.predictor.export import load as load_predictor
from theorymodel.predictor.linear import LinearPredictor, RolloutResult, tolerance

__all__ = ["LinearPredictor", "RolloutResult", "load", "load_predictor", "save_linearlm", "save_predictor", "tolerance"]
