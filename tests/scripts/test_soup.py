"""scripts.soup: the weight average of runs that differ only in their seed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from core.errors import ConfigError
from scripts.soup import WEIGHTS, soup


def _member(run: Path, target: Path, seed: int, shift: float) -> Path:
    """A copy of RUN claiming another seed, every float weight moved by SHIFT."""
    from safetensors.torch import load_file, save_file

    shutil.copytree(run, target)
    summary = json.loads((target / "train_config.json").read_text(encoding="utf-8"))
    summary["config"]["seed"] = seed
    (target / "train_config.json").write_text(json.dumps(summary), encoding="utf-8")
    weights = load_file(str(target / "model" / WEIGHTS))
    save_file({k: v + shift if v.is_floating_point() else v for k, v in weights.items()},
              str(target / "model" / WEIGHTS))
    return target


def test_the_soup_is_the_mean_of_its_members_and_exports(tiny_run: Path, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    from scripts.export import export_bundle

    low = _member(tiny_run, tmp_path / "low", seed=1, shift=-0.5)
    high = _member(tiny_run, tmp_path / "high", seed=2, shift=1.5)
    summary = soup([low, high], tmp_path / "soup", refit_slots=False)
    assert summary["seeds"] == [1, 2]
    mixed = load_file(str(tmp_path / "soup" / "model" / WEIGHTS))
    original = load_file(str(tiny_run / "model" / WEIGHTS))
    for name, tensor in original.items():
        expected = tensor + 0.5 if tensor.is_floating_point() else tensor
        assert torch.allclose(mixed[name], expected, atol=1e-5), name
    manifest = export_bundle(tmp_path / "soup", tmp_path / "bundle")  # a run folder like any other
    trained = json.loads((tiny_run / "train_config.json").read_text(encoding="utf-8"))["labels"]
    assert [label.name for label in manifest.labels] == trained


def test_runs_that_differ_in_more_than_the_seed_are_refused(tiny_run: Path, tmp_path: Path) -> None:
    other = _member(tiny_run, tmp_path / "other", seed=2, shift=0.0)
    summary = json.loads((other / "train_config.json").read_text(encoding="utf-8"))
    summary["config"]["learning_rate"] = 0.5
    (other / "train_config.json").write_text(json.dumps(summary), encoding="utf-8")
    with pytest.raises(ConfigError, match="learning_rate"):
        soup([tiny_run, other], tmp_path / "soup")


def test_runs_trained_on_other_rows_are_refused(tiny_run: Path, tmp_path: Path) -> None:
    other = _member(tiny_run, tmp_path / "other", seed=2, shift=0.0)
    splits = json.loads((other / "splits.json").read_text(encoding="utf-8"))
    splits["train"] = splits["train"][1:]
    (other / "splits.json").write_text(json.dumps(splits), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"splits\.json"):
        soup([tiny_run, other], tmp_path / "soup")


def test_runs_with_other_lexicons_are_refused_and_the_soup_keeps_theirs(tiny_run: Path, tmp_path: Path) -> None:
    other = _member(tiny_run, tmp_path / "other", seed=2, shift=0.0)
    soup([tiny_run, other], tmp_path / "soup", refit_slots=False)
    assert (tmp_path / "soup" / "lexicon.json").read_bytes() == (tiny_run / "lexicon.json").read_bytes()
    lexicon = json.loads((other / "lexicon.json").read_text(encoding="utf-8"))
    lexicon["known"] = [*lexicon["known"], "zzzz"]  # the shared datasets or wordfreq differed between the runs
    (other / "lexicon.json").write_text(json.dumps(lexicon), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"lexicon\.json differs"):
        soup([tiny_run, other], tmp_path / "soup2")
    (other / "lexicon.json").unlink()
    with pytest.raises(ConfigError, match="both have a lexicon"):
        soup([tiny_run, other], tmp_path / "soup3")


def test_one_run_is_not_a_soup(tiny_run: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least two"):
        soup([tiny_run], tmp_path / "soup")


def test_runs_that_differ_only_in_seed_start_from_the_same_heads(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The new layers start from split_seed's weights, so seed variants can be averaged; training itself (data
    order, dropout) still follows the seed."""
    from scripts.joint import JointModel
    from scripts.train import TrainConfig, train
    from tests.conftest import TINY_DATASET, build_tiny_backbone

    class StartedError(Exception):
        pass

    heads: list[tuple[torch.Tensor, torch.Tensor]] = []

    def capture(self: JointModel, counts: object) -> None:
        classifier = getattr(self.classifier, "classifier")  # noqa: B009  # BertForSequenceClassification's layer
        heads.append((classifier.weight.detach().clone(), self.slot_head.weight.detach().clone()))
        raise StartedError

    monkeypatch.setattr(JointModel, "init_prior", capture)
    backbone = str(build_tiny_backbone(tmp_path / "backbone"))
    data = tmp_path / "intents.yaml"
    data.write_text(TINY_DATASET, encoding="utf-8")
    for seed in (1, 2):
        with pytest.raises(StartedError):
            train(TrainConfig(base_model=backbone, data=str(data), out=str(tmp_path / f"run{seed}"), seed=seed,
                              split_seed=5, outlier_rows=0, public_in_scope_rows=0))
    assert torch.equal(heads[0][0], heads[1][0]) and torch.equal(heads[0][1], heads[1][1])


def test_a_setting_added_after_a_run_was_trained_reads_as_its_default(tiny_run: Path, tmp_path: Path) -> None:
    older = _member(tiny_run, tmp_path / "older", seed=2, shift=0.0)
    summary = json.loads((older / "train_config.json").read_text(encoding="utf-8"))
    del summary["config"]["layer_decay"]  # trained before the option existed: the same as off
    (older / "train_config.json").write_text(json.dumps(summary), encoding="utf-8")
    seeds = soup([tiny_run, older], tmp_path / "soup", refit_slots=False)["seeds"]
    assert seeds[1] == 2 and len(seeds) == 2
