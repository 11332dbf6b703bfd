"""scripts/data.py: outlier exposure (public train rows join train only, capped, balanced, deterministic) and the
intents file with the issue-21 rows (hard negatives, variety)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from core.intents import OUT_OF_SCOPE, load_dataset
from core.language import guess_language
from scripts.data import (
    OUTLIER_EXCLUDED,
    PublicExample,
    Splits,
    add_outlier_exposure,
    load_outlier_pool,
    load_yaml_splits,
)

ROOT = Path(__file__).resolve().parents[2]
INTENTS = ROOT / "resources" / "intents.yaml"


def _splits() -> Splits:
    train = [("noticias de hoy", "get_news"), ("ayuda", "get_help"), ("pon música", OUT_OF_SCOPE)]
    val = [("latest headlines", "get_news"), ("set an alarm", OUT_OF_SCOPE)]
    test = [("help me", "get_help"), ("what can you do", "get_help")]
    return Splits(train, val, test, {}, "sha")


def _pool() -> dict[str, list[PublicExample]]:
    """20 CLINC-like intents x 10 rows, plus oos, mapped help rows and a label this dataset lacks."""
    clinc = [PublicExample(f"clinc {g} request {i}", OUT_OF_SCOPE, f"intent{g}") for g in range(20) for i in range(10)]
    clinc += [PublicExample(f"clinc oos {i}", OUT_OF_SCOPE, "oos") for i in range(100)]
    clinc += [PublicExample(f"what can i ask you {i}", "get_help", "what_can_i_ask_you") for i in range(60)]
    clinc += [PublicExample(f"where is my order {i}", "get_shipping", "order_status") for i in range(60)]
    snips = [PublicExample(f"snips {g} {i}", OUT_OF_SCOPE, f"S{g}") for g in range(7) for i in range(50)]
    mtod = [PublicExample(f"mtod {g} {i}", OUT_OF_SCOPE, f"m{g}") for g in range(12) for i in range(30)]
    return {"clinc150": clinc, "snips": snips, "mtod": mtod}


def _added(before: Splits, after: Splits) -> list[tuple[str, str]]:
    assert after.train[: len(before.train)] == before.train  # our own rows stay, in order
    return after.train[len(before.train):]


def test_outlier_exposure_is_capped_and_shared_over_sources() -> None:
    splits = _splits()
    out = add_outlier_exposure(splits, _pool(), cap=200, seed=13, in_scope_cap=40)
    added = _added(splits, out)
    oos = [t for t, label in added if label == OUT_OF_SCOPE]
    assert len(oos) == 200
    by_source = Counter(t.split()[0] for t in oos)
    assert by_source == {"clinc": 100, "snips": 50, "mtod": 50}  # OUTLIER_SHARES: a half and two quarters
    # in scope: 40 mapped help rows; get_shipping is not one of this dataset's intents, so none of those
    assert Counter(label for _, label in added if label != OUT_OF_SCOPE) == {"get_help": 40}
    assert out.train_sources == {"clinc150": {OUT_OF_SCOPE: 100, "get_help": 40}, "snips": {OUT_OF_SCOPE: 50},
                                 "mtod": {OUT_OF_SCOPE: 50}}


def test_outlier_exposure_takes_a_few_per_public_intent() -> None:
    splits = _splits()
    added = _added(splits, add_outlier_exposure(splits, _pool(), cap=200, seed=13))
    clinc_groups = Counter(t.split()[1] for t, label in added if label == OUT_OF_SCOPE and t.startswith("clinc"))
    # 100 CLINC rows over 21 groups (20 intents + oos): 4 or 5 each, not 100 from oos
    assert len(clinc_groups) == 21 and max(clinc_groups.values()) - min(clinc_groups.values()) <= 1


def test_outlier_exposure_adds_to_train_only() -> None:
    splits = _splits()
    out = add_outlier_exposure(splits, _pool(), cap=300, seed=13)
    assert out.val == splits.val and out.test == splits.test
    assert len(out.train) > len(splits.train)


def test_outlier_exposure_is_deterministic_and_follows_the_seed() -> None:
    splits = _splits()
    first = add_outlier_exposure(splits, _pool(), cap=150, seed=13)
    assert add_outlier_exposure(splits, _pool(), cap=150, seed=13) == first
    assert add_outlier_exposure(splits, _pool(), cap=150, seed=7).train != first.train


def test_outlier_exposure_cap_zero_and_small_pools() -> None:
    splits = _splits()
    off = add_outlier_exposure(splits, _pool(), cap=0, seed=13, in_scope_cap=0)
    assert off.train == splits.train and off.train_sources == {}
    tiny = {"snips": [PublicExample("play jazz", OUT_OF_SCOPE, "PlayMusic")]}
    assert _added(splits, add_outlier_exposure(splits, tiny, cap=500, seed=13)) == [("play jazz", OUT_OF_SCOPE)]
    with pytest.raises(ValueError, match="cap"):
        add_outlier_exposure(splits, tiny, cap=-1, seed=13)


def test_outlier_exposure_skips_our_texts_duplicates_and_excluded_intents() -> None:
    splits = _splits()
    source, group = next(iter(OUTLIER_EXCLUDED))
    pool = {source: [PublicExample("Set  an ALARM", OUT_OF_SCOPE, "alarm"),  # equals one of our val rows
                     PublicExample("wake me up", OUT_OF_SCOPE, "alarm"),
                     PublicExample("Wake me up", OUT_OF_SCOPE, "alarm"),  # the same request twice
                     PublicExample("call me Ana from now on", OUT_OF_SCOPE, group)]}
    assert _added(splits, add_outlier_exposure(splits, pool, cap=10, seed=13)) == [("wake me up", OUT_OF_SCOPE)]


def test_train_sources_survive_the_run_files() -> None:
    out = add_outlier_exposure(_splits(), _pool(), cap=20, seed=13)
    again = Splits.from_json(json.loads(json.dumps(out.to_json())))
    assert again == out and again.train_sources["clinc150"][OUT_OF_SCOPE] == 10


def test_load_outlier_pool_reads_train_splits_only(tmp_path: Path) -> None:
    rows = [{"text": f"{split} {intent}", "intent": intent, "split": split, "is_oos": intent == "oos"}
            for split in ("train", "val", "test") for intent in ("oos", "order_status", "balance")]
    (tmp_path / "clinc150").mkdir()
    (tmp_path / "clinc150" / "clinc150_full.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    pool = load_outlier_pool(tmp_path)
    assert set(pool) == {"clinc150"}  # the other sources are absent here
    assert {(r.text, r.label, r.group) for r in pool["clinc150"]} == {
        ("train oos", OUT_OF_SCOPE, "oos"), ("train order_status", "get_shipping", "order_status"),
        ("train balance", OUT_OF_SCOPE, "balance")}


def test_train_config_rejects_negative_caps() -> None:
    from scripts.train import TrainConfig

    assert TrainConfig().outlier_rows > 0  # on by default
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"outlier_rows must be >= 0.*found -1"):
        TrainConfig(outlier_rows=-1)
    with pytest.raises(ConfigError, match=r"patience must be >= 0"):
        TrainConfig(patience=-1)
    for bad in ({"layer_decay": 0.0}, {"layer_decay": float("nan")}, {"contrastive_temperature": 0.0},
                {"contrastive_weight": float("nan")}, {"noise_share": 1.5}, {"noise_share": float("nan")},
                {"lexicon": "mine"}):
        with pytest.raises(ConfigError, match=r"layer_decay|contrastive|noise_share|lexicon"):
            TrainConfig(**bad)  # type: ignore[arg-type]


def test_a_run_trained_before_noisy_copies_existed_reads_as_without_them() -> None:
    from scripts.train import TrainConfig, run_settings

    older = {"config": {"seed": 13, "layer_decay": 1.0}}  # no noise_share: trained before the option
    assert run_settings(older)["noise_share"] == 0.0
    assert run_settings({"config": {"noise_share": 0.25}})["noise_share"] == 0.25
    assert TrainConfig().lexicon == "public" and run_settings(older)["lexicon"] == ""  # likewise the lexicon


# --- the intents file with the issue-21 rows ---------------------------------------------------------------------

NEW_ROWS = {  # a few of the added rows per intent, both languages
    "get_news": ["¿cómo va la campaña electoral?", "any updates on the war in Ukraine?", "QUE HA PASADO HOY"],
    "get_business_information": ["¿qué formas de pago aceptáis?", "do you take apple pay?", "metodos de pago"],
    "get_profile": ["me he mudado, pon mi nueva dirección", "I got a new number, can you change it", "ver mi pefil"],
    "get_help": ["ayudame", "I'm trying to figure out what you can do", "hlep"],
    "get_shipping": ["¿dónde anda mi pedido 5823?", "can you check the status of order 55120?", "track my order"],
}
NEAR_MISSES = ["¿me dices la hora?", "how much money is in my checking account?", "verify my identity",
               "what's the weather forecast for the weekend?", "thanks for the help", "añade a Pedro a mis contactos"]


def test_intents_file_loads_with_the_new_rows() -> None:
    dataset = load_dataset(INTENTS)
    labels = dict(dataset.rows())
    for intent, texts in NEW_ROWS.items():
        assert all(labels[t] == intent for t in texts), intent
    assert all(t in dataset.near_miss for t in NEAR_MISSES)
    # news about the weather is news; the forecast itself is not
    assert labels["what are the papers reporting about the heatwave?"] == "get_news"
    assert len(dataset.near_miss) >= 280 and min(len(i.examples) for i in dataset.intents) >= 160


def test_every_intent_is_taught_in_both_languages() -> None:
    for intent in load_dataset(INTENTS).intents:
        spanish = sum(guess_language(t) == "es" for t in intent.examples) / len(intent.examples)
        assert 0.3 <= spanish <= 0.7, (intent.name, spanish)


def test_yaml_splits_hold_no_public_rows() -> None:
    splits = load_yaml_splits(INTENTS, seed=13)
    assert splits.train_sources == {} and len(splits.val) > 300 and len(splits.test) > 300


# --- item 6: a new intent from ~40 examples (scripts/evaluate_new_intent.py) -------------------------------------

def test_returns_item_is_separate_and_bilingual() -> None:
    from scripts.evaluate_new_intent import ITEM, NewIntent

    item = NewIntent.load(ITEM)
    assert (len(item.train), len(item.test)) == (40, 20)
    assert sum(guess_language(t) == "es" for t in item.train) == 20
    assert sum(guess_language(t) == "es" for t in item.test) == 10
    # no returns request in the shipped intents file: the intent is held out
    assert not {t.casefold() for t in item.train + item.test} & {t.casefold() for t, _ in load_dataset(INTENTS).rows()}


@pytest.mark.slow  # trains and exports twice (~20-40 s on 2 cores)
def test_new_intent_evaluation_end_to_end_with_a_tiny_model(tmp_path: Path) -> None:
    """The real script (train, export, decide) on the tiny BERT and the tiny dataset: figures, not quality."""
    from scripts.evaluate_new_intent import ITEM, NewIntent, evaluate_new_intent
    from scripts.train import TrainConfig, train
    from tests.conftest import TINY_DATASET, build_tiny_backbone

    backbone = str(build_tiny_backbone(tmp_path / "backbone"))
    data = tmp_path / "intents.yaml"
    data.write_text(TINY_DATASET, encoding="utf-8")
    settings = {"base_model": backbone, "epochs": 2, "outlier_rows": 0, "public_in_scope_rows": 0}
    baseline = train(TrainConfig(data=str(data), out=str(tmp_path / "baseline"), **settings))  # type: ignore[arg-type]
    summary = json.loads((baseline / "train_config.json").read_text(encoding="utf-8"))
    assert summary["kept"] == "last" and summary["epochs_run"] == 2  # patience 0: every epoch, the last one kept
    item = NewIntent.load(ITEM)
    report = evaluate_new_intent(item, data, baseline, tmp_path / "new", fp32=True, **settings)  # type: ignore[arg-type]
    assert sum(report["examples_by_split"].values()) == 40 and report["examples_by_split"]["train"] > 0
    figures = report["test_paraphrases"]
    assert figures["rows"] == 20 and figures["language_es"]["rows"] == 10
    assert figures["routed_right"] + figures["asked"] + figures["routed_elsewhere"] == pytest.approx(1.0)
    assert len(figures["misses"]) == round(20 * (1 - figures["routed_right"]))
    assert report["target_met"] == (figures["routed_right"] >= 0.9)
    other = report["other_intents_val"]
    assert other["new"]["rows"] == other["baseline"]["rows"] == len(Splits.from_json(json.loads(
        (baseline / "splits.json").read_text(encoding="utf-8"))).val)
    assert other["change"]["right_decisions"] == other["new"]["right_decisions"] - other["baseline"]["right_decisions"]
    assert report["baseline_config_differs"] == {}  # trained alike
    manifest = json.loads((tmp_path / "new" / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    assert item.name in json.dumps(manifest["labels"])
    assert json.loads((tmp_path / "new" / "new_intent.json").read_text(encoding="utf-8")) == report


def test_small_intents_are_repeated_up_to_the_floor_and_nothing_else_changes() -> None:
    from scripts.data import balance_classes

    rows = ([(f"news {i}", "get_news") for i in range(100)] + [(f"help {i}", "get_help") for i in range(80)]
            + [(f"ret {i}", "get_returns") for i in range(10)] + [(f"oos {i}", "out_of_scope") for i in range(500)])
    out = balance_classes(rows, 0.75)
    counts = {label: sum(1 for _, x in out if x == label) for label in ("get_news", "get_help", "get_returns",
                                                                        "out_of_scope")}
    assert counts == {"get_news": 100, "get_help": 80, "get_returns": 60, "out_of_scope": 500}  # median 80
    assert out[:len(rows)] == rows and {t for t, x in out if x == "get_returns"} == {f"ret {i}" for i in range(10)}
    assert balance_classes(rows, 0.0) == rows
    assert balance_classes(rows[:180], 0.75) == rows[:180]  # intents above the floor: unchanged
