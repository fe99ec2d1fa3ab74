"""The paper's empirical half (docs/paper.md, Experiments): multiplication with CoT on the linear
and MLP next-token predictors, and a linear language model. Data generators need nothing
beyond numpy; models and training need the ``experiments`` extra (torch)."""
