"""The field's shared benchmarks, run through the whole pipeline (machine -> CoT -> learned
tied table -> proof for every length -> score by the benchmark's own protocol).

- :mod:`theorymodel.benchmarks.chomsky`: Delétang et al., "Neural Networks and the Chomsky
  Hierarchy" (ICLR 2023, arXiv 2207.02098), its 15 length-generalisation tasks.
"""
