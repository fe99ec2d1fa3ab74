"""The field's shared benchmarks, run through the whole pipeline (machine -> CoT -> learned
tied table -> proof for every length -> score by the benchmark's own protocol).

- :mod:`theorymodel.benchmarks.chomsky`: Delétang et al., "Neural Networks and the Chomsky
  Hierarchy" (ICLR 2023, arXiv 2207.02098), its 15 length-generalisation tasks.
"""

# The Chomsky benchmark's defaults, here so that the CLI's parser reads them without
# loading the tasks (theorymodel.benchmarks.chomsky.run uses the same names).
#: test lengths scored by default: a grid over the benchmark's 41..500
CHOMSKY_EVAL_LENGTHS = (41, 50, 64, 100, 128, 200, 256, 350, 500)
CHOMSKY_EVAL_SAMPLES = 2  #: inputs per test length
#: generated tokens one table may roll out per task; lengths past it are listed as not rolled out
CHOMSKY_TOKEN_BUDGET = 300_000_000
