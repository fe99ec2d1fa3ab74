"""Proofs for every input length at once (docs/uniform.md): a shared table is right on every
(left, middle, right) triple a run can show (:mod:`.proof`), over a domain bounded by an
inductive invariant of windows (:mod:`.invariant`) and of whole rows (:mod:`.row_scan`);
:mod:`.invariance` reads any predictor file as such a table, or says why it is not one."""
