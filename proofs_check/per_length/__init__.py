"""The methods that decide "the predictor's answer is right on every input of length n",
one module each, named in the registry :mod:`proofs_check.methods` and dispatched by
:func:`proofs_check.verdict.verify`: random simulation and the reference replay
(:mod:`.simulation`), enumeration (:mod:`.exhaustive`), z3 local lemmas (:mod:`.local`,
:mod:`.circuit_local`), one global z3 query (:mod:`.z3_query`) and SAT sweeping
(:mod:`.sweep`)."""
