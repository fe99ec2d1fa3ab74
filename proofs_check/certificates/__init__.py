"""What others can re-check from files alone: DRAT proofs of unsatisfiability
(:mod:`.drat`, a forward RUP/RAT checker that shares no code with any solver) and sympy
closed forms of the compilers' CoT lengths with their bound proofs (:mod:`.bounds`)."""
