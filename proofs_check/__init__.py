"""proofs_check: exact verification of theorymodel's constructions (z3, sympy).

The folders show what it does: :mod:`.semantics` (the specifications, as z3 terms),
:mod:`.per_length` (the methods for one input length, registered in :mod:`.methods` and
dispatched by :func:`.verdict.verify`), :mod:`.uniform` (proofs for every length) and
:mod:`.certificates` (files others re-check: DRAT, sympy bounds). :mod:`.targets` builds
what a predictor is checked against.

Kept apart from :mod:`theorymodel` so that the semantics it proves against are written
independently of the compilers they check::

    from proofs_check import check_target, verify
    check = check_target(result)                      # a compile_target result
    verdict = verify(check.target, predictor, reach=check.reach)
    verdict.verified, verdict.guarantee               # True, "smt-proof"
"""

from typing import TYPE_CHECKING

from theorymodel._lazy import lazy_exports

if TYPE_CHECKING:
    from proofs_check.certificates.bounds import prove_upper_bound, route_bound
    from proofs_check.per_length.exhaustive import exhaustive
    from proofs_check.targets import CheckTarget, VerificationTarget, check_target, check_target_for_file
    from proofs_check.verdict import CircuitTarget, Counterexample, MachineTarget, Verdict, certificate, verify

__all__ = [
    "CheckTarget", "CircuitTarget", "Counterexample", "MachineTarget", "Verdict", "VerificationTarget",
    "certificate", "check_target", "check_target_for_file", "exhaustive", "prove_upper_bound", "route_bound",
    "verify",
]
__getattr__, __dir__ = lazy_exports(__name__, {
    "prove_upper_bound": "proofs_check.certificates.bounds", "route_bound": "proofs_check.certificates.bounds",
    **{name: "proofs_check.targets" for name in ("CheckTarget", "VerificationTarget", "check_target",
                                                   "check_target_for_file")},
    "exhaustive": "proofs_check.per_length.exhaustive",
    **{name: "proofs_check.verdict" for name in ("CircuitTarget", "Counterexample", "MachineTarget", "Verdict",
                                                   "certificate", "verify")},
})
