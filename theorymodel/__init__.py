"""theorymodel: chain-of-thought learning theory, executable and checkable.

Pipeline (one package per stage)::

    machine file / notation -> TuringMachine        (theorymodel.machines)
    circuit file            -> Circuit               (theorymodel.circuits)
    TuringMachine | Circuit -> CoTProgram            (theorymodel.compile: tableau, circuit routes)
    CoTProgram              -> LinearPredictor       (theorymodel.predictor: exact weights, export)
    proofs over every input, bounds, certificates    (proofs_check)

See README.md for the tour; the CLI is ``theorymodel`` (theorymodel.cli).
"""

from theorymodel.errors import TheoryModelError
from theorymodel.machines import TuringMachine, load_machine

__all__ = ["TheoryModelError", "TuringMachine", "load_machine"]
__version__ = "0.1.0"
