"""The dcf tasks of the Chomsky-hierarchy benchmark: numpy ports of their sample_batch."""

from __future__ import annotations

from theorymodel.benchmarks.chomsky import ChomskyTask

TASKS: list[ChomskyTask] = []
