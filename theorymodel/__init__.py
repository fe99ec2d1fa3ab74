"""theorymodel: chain-of-thought learning theory, executable and checkable.

Pipeline (one module per stage)::

    machine file / notation -> TuringMachine (theorymodel.machines)
    TuringMachine -> simulation, time bound T(n) (theorymodel.machines.simulate)

See README.md for the tour and ../CONTRACT for the CLI.
"""

from theorymodel.errors import TheoryModelError
from theorymodel.machines import TuringMachine, load_machine

__all__ = ["TheoryModelError", "TuringMachine", "load_machine"]
__version__ = "0.1.0"
