"""The paper's experiments on tiny sizes: data, models, a training step, decoding, metrics,
resuming from a checkpoint, and analytic weights decoding exactly in the torch model."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from theorymodel.experiments import multiply as mul

PAPER_12x34 = ("1 2 x 3 4 = ( 2 x 1 + 1 x 1 0 ) x ( 4 x 1 + 3 x 1 0 ) = 2x4 x 1 x 1 + 2x3 x 1 x 1 0 + "
               "1x4 x 1 0 x 1 + 1x3 x 1 0 x 1 0 = 0 8 + 0 6 0 + 0 4 0 + 0 3 0 0 = 0 4 0 8")


def test_paper_format_token_for_token():
    assert " ".join(mul.paper_cot(12, 34, 2)) == PAPER_12x34
    assert len(mul.sequence("paper", 1234, 5678, 4)) == 307
    assert len(mul.sequence("paper", 11, 11, 2)) == 77


def test_fine_format_by_hand():
    # 99 x 99 = 9801: row 0 is 99*9 = 891, row 1 adds 891 shifted: 9801
    assert " ".join(mul.fine_cot(99, 99, 2)) == (
        "9 9 x 9 9 = 9x9 j100 e1c0 k100 d1c0 9x9 j180 e9c0 k900 d9c0 j080 e8c0 k800 d8c0 "
        "9x9 j100 e1c0 k190 d0c1 9x9 j180 e9c0 k981 d8c1 j080 e8c0 k801 d9c0 = 9 8 0 1")
    assert " ".join(mul.fine_cot(12, 34, 2)) == (
        "1 2 x 3 4 = 2x4 j800 e8c0 k800 d8c0 1x4 j400 e4c0 k400 d4c0 j000 e0c0 k000 d0c0 "
        "2x3 j600 e6c0 k640 d0c1 1x3 j300 e3c0 k301 d4c0 j000 e0c0 k000 d0c0 = 0 4 0 8")
    assert len(mul.sequence("fine", 11, 11, 2)) == 40 and len(mul.sequence("fine", 1111, 1111, 4)) == 116


@pytest.mark.parametrize("d", [2, 3])
def test_every_fine_sequence_is_right_and_in_the_dictionary(d):
    vocab = set(mul.vocabulary("fine", d))
    rng = np.random.default_rng(0)
    ops = list(mul.operands(d))
    for _ in range(300):
        a, b = int(rng.choice(ops)), int(rng.choice(ops))
        seq = mul.sequence("fine", a, b, d)
        assert set(seq) <= vocab and int("".join(seq[-2 * d:])) == a * b
        assert set(mul.sequence("paper", a, b, d)) <= set(mul.vocabulary("paper", d))


def test_fine_steps_are_joins_and_lookups():
    """Each 'e'/'d' token is a function of the one token before it, and each 'j'/'k' token a
    join: the property that makes every step an exact linear argmax."""
    seen: dict[str, set[str]] = {}
    for a in mul.operands(2):
        for b in mul.operands(2):
            seq = mul.fine_cot(a, b, 2)
            for prev, tok in itertools.pairwise(seq):
                if tok[0] in "ed" and prev[0] in "jk":
                    seen.setdefault(prev, set()).add(tok)
    assert seen and all(len(outs) == 1 for outs in seen.values())


def test_none_format_and_split():
    assert mul.none_cot(12, 34, 2) == ["1", "2", "x", "3", "4", "=", "0", "4", "0", "8"]
    train, val = mul.pairs(2, "train"), mul.pairs(2, "val")
    assert len(train) + len(val) == 89 * 89 and not set(train) & set(val)
    assert 0.70 < len(train) / (89 * 89) < 0.80
    assert mul.pairs(2, "train") == train  # the split is a fixed hash, not a seed




def test_parameter_counts():
    from theorymodel.experiments.models import LinearLM

    m = LinearLM(10, 4, 3)
    counts = m.parameter_counts()
    assert counts["stored"] == 10 * 3 + 12 * 12 + 12 + 3 * 10 + 10
    assert counts["effective"] == counts["stored"] - (144 - 10 * 9)


def test_analytic_weights_decode_exactly_in_the_torch_model(cli, tmp_path):
    from theorymodel.experiments.models import load_linearlm
    from theorymodel.learn import compiled

    path = tmp_path / "w.npz"
    code, _, _ = cli("compile", "binary_increment", "--n", "3", "--route", "tableau", "--export-linearlm", str(path))
    assert code == 0
    model, _extras = load_linearlm(path)
    src = compiled("binary_increment", 3, "tableau")
    seqs = src.sequences(np.arange(8))
    out = model.greedy(torch.from_numpy(seqs[:, :3].astype(np.int64)), seqs.shape[1]).numpy()
    assert np.array_equal(out, seqs)
    logits = model(torch.from_numpy(seqs[:, :-1].astype(np.int64)))
    top2 = logits.topk(2, dim=-1).values
    assert (top2[..., 0] - top2[..., 1])[:, 2:].min() >= 1  # strict, with the analytic margin


def test_tiny_multiply_run_resumes_from_its_checkpoint(tmp_path):
    from theorymodel.experiments.training import TrainConfig, train_multiply

    ck = tmp_path / "run.pt"
    cfg = TrainConfig(digits=2, cot="fine", model="mlp", d=8, steps=2, batch=16, warmup=1, eval_pairs=20)
    first = train_multiply(cfg, checkpoint=ck, progress=False)
    assert ck.exists() and first["train_sequences"] == 32
    state = torch.load(ck, weights_only=False)
    assert state["step"] == 2
    cfg.steps = 3
    second = train_multiply(cfg, checkpoint=ck, progress=False)
    assert second["train_sequences"] == 16  # one more step, not three
    assert torch.load(ck, weights_only=False)["step"] == 3
    for key in ("digits", "model", "cot", "params_effective", "params_stored", "train_sequences", "exact_match",
                "digit_accuracy", "seconds"):
        assert key in second
    assert 0 <= second["exact_match"] <= second["digit_accuracy"] <= 1 or second["exact_match"] == 0
    assert set(second["teacher_forced"]) == {"cells", "answer"}


def test_experiment_cli_multiply_and_text(cli_json, cli, tmp_path):
    code, obj, _ = cli_json("experiment", "multiply", "--digits", "2", "--cot", "paper", "--steps", "2", "--batch", "8",
                            "--d", "4", "--eval-pairs", "10", "--plot", str(tmp_path / "m.png"))
    assert code == 0 and obj["context_length"] == 77 and obj["validation_pairs"] == 10
    assert set(obj["teacher_forced"]) == {"expand", "products", "partials", "answer"}
    code, obj, _ = cli_json("experiment", "text", "--steps", "2", "--batch", "4", "--d", "4", "--context", "16",
                            "--plot", str(tmp_path / "t.png"))
    assert code == 0 and obj["val_perplexity"] > 1 and obj["baselines"]["bigram"] < obj["baselines"]["unigram"]
    assert len(obj["sample"]) == 300
    for bad in (["multiply", "--cot", "medium"], ["multiply", "--steps", "0"], ["multiply", "--device", "tpu"],
                ["text", "--corpus", str(tmp_path / "missing.txt")], ["multiply", "--digits", "9"]):
        code, _, err = cli("experiment", *bad)
        assert code == 2 and err.startswith("error:"), bad


def test_four_digit_pairs_are_sampled_not_listed():
    ps = mul.sample_pairs(4, "val", 50, seed=1)
    assert len(set(ps)) == 50 and ps == mul.sample_pairs(4, "val", 50, seed=1)
    assert all(1111 <= a <= 9999 and 1111 <= b <= 9999 and not mul.is_train(a, b) for a, b in ps)
    assert len(mul.sample_pairs(2, "train", 10**6)) == len(mul.pairs(2, "train"))  # listed: all of them
