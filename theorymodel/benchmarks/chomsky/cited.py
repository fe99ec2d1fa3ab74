"""The paper's own scores for the 15 tasks, to print beside ours (marked as cited).

Paper: Grégoire Delétang, Anian Ruoss, Jordi Grau-Moya, Tim Genewein, Li Kevin Wenliang,
Elliot Catt, Chris Cundy, Marcus Hutter, Shane Legg, Joel Veness, Pedro A. Ortega,
"Neural Networks and the Chomsky Hierarchy", ICLR 2023 (OpenReview id WbxHAzkeQcn),
arXiv 2207.02098; the version to cite is v3 (the ICLR camera-ready text, stamped
"arXiv:2207.02098v3 [cs.LG] 28 Feb 2023").

The table wanted is the paper's main results table: one score per task and architecture
(RNN, Stack-RNN, Tape-RNN, Transformer encoder, LSTM) on the 15 tasks. Its cells, its number
and its caption were NOT read: the stored copies of the paper that the lookup tools reach (the
ar5iv page of v1, the SPIQA LaTeX of v3, an ICLR 2023 text dump, a PDF-to-text copy of v3)
return only each document's opening (title, abstract, start of the introduction), never the
results section. No number in this module is taken from memory, so :data:`CITED` is empty
until someone reads the table; see the "not confirmed" list below.

What the numbers are, as far as read (not from the table's caption):

- The paper's abstract (v3 and the ICLR text): "we conduct an extensive empirical study
  (20 910 models, 15 tasks)"; its introduction: "an agent is trained with sequences of length
  ℓ ≤ N and tested with arbitrarily longer sequences ℓ ≫ N".
- An author, in google-deepmind/neural_networks_chomsky_hierarchy issue #7 (2023-12-29), on
  the Transformer's even_pairs cell: "the *average* score for the transformer on this task is
  67.7% ± 15.2 (standard deviation over 10 seeds). The number we report is the *maximum*
  score we got over 10 seeds."
- The same author, issue #9 (2024-04-12), of a user's scores: "are the average accuracies over
  lengths [41, 500] you get? They should be >50%, the random baseline."

So each cell is, per the authors: accuracy averaged over the test lengths 41..500, the best
of 10 seeds (the table's own wording, and whether the maximum also runs over learning rates
or, for the Transformer, positional encodings, is unconfirmed). Training lengths go up to 40
per a third-party summary of the paper ("training length ≤40, test lengths 41–500"), not
read in the paper itself.

Versions: a July 2022 report on the first arXiv version (syncedreview.com, 2022-07-11)
describes "2200 individual models, 16 tasks" with an NDStack-RNN column, and the code's
README still says "2200 models, 16 tasks"; v3/ICLR says 20 910 models, 15 tasks. The
first version's table may therefore differ from v3's; whoever fills :data:`CITED` should
read v3 and note any difference from v1.
"""

from __future__ import annotations

ARCHITECTURES = ("RNN", "Stack-RNN", "Tape-RNN", "Transformer", "LSTM")

#: task module name -> architecture -> score in % as printed in the table
CITED: dict[str, dict[str, float]] = {}

# not confirmed: all 75 cells (15 tasks x 5 architectures): even_pairs, modular_arithmetic,
# parity_check, cycle_navigation, stack_manipulation, reverse_string,
# modular_arithmetic_brackets, solve_equation, duplicate_string, missing_duplicate_string,
# odds_first, binary_addition, binary_multiplication, compute_sqrt, bucket_sort; each for
# RNN, Stack-RNN, Tape-RNN, Transformer, LSTM. The table text was never reached.
# Second-hand only (third-party notes on GitHub, not the table; do not enter them as cited):
# "Tape-RNN reaches 100 on" duplicate_string, missing_duplicate_string, odds_first and
# binary_addition; Transformer "52.8 on Duplicate String"; Transformer "reverse 62%,
# modular-with-brackets 32.5%, duplicate ~53%".

SOURCE = ("none read yet: the main results table of arXiv 2207.02098v3 "
          "(https://arxiv.org/abs/2207.02098v3) was not reached")  # where the numbers were read (URL)
