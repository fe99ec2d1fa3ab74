"""The specifications proofs are checked against, as z3 terms: a Turing machine from its
transition table (:mod:`.machine`), a circuit gate by gate (:mod:`.circuit`), a linear
predictor's exact scores and argmax (:mod:`.predictor`), and the answer a user reads
(:mod:`.answer`). Nothing here reads a compiler: a proof can catch a compiler bug."""
