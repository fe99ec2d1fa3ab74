"""proofs_check: exact verification of theorymodel's constructions (z3, sympy).

Kept apart from :mod:`theorymodel` so that the semantics it proves against are written
independently of the compilers they check.
"""

__all__: list[str] = []
