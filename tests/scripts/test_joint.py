"""The joint intent + slot model's data side: token labels from inline annotations, padding, the prior start."""

from __future__ import annotations

import math

import torch

from scripts.joint import IGNORE, JointCollator, slot_tags, token_slot_labels


def test_tags_are_o_then_begin_and_inside_of_each_slot() -> None:
    assert slot_tags(("topic", "day")) == ["O", "B-topic", "I-topic", "B-day", "I-day"]


def test_token_labels_follow_the_annotated_characters_through_the_text_form() -> None:
    from core.text import model_form_with_origin

    typed = "¿Noticias de CAMBIO Climático?"
    spans = ((13, 29, "topic"),)  # "CAMBIO Climático" as annotated
    form, origin = model_form_with_origin(typed, "fold-v1")
    model_text = "query: " + form  # "query: noticias de cambio climatico"
    words = [(i, i + len(w)) for i, w in ((model_text.index(w), w) for w in model_text.split())]
    # SentencePiece offsets: each "▁word" token starts at the space before it (not the first)
    offsets = [(0, 0), *[(a - 1 if a else a, b) for a, b in words], (0, 0)]
    special = [1, *[0] * len(words), 1]
    tags = slot_tags(("topic",))
    labels = token_slot_labels(offsets, special, len("query: "), origin, spans, tags, model_text)
    assert [tags[x] if x >= 0 else "-" for x in labels] == ["-", "O", "O", "O", "B-topic", "I-topic", "-"]


def test_a_row_without_slot_labels_teaches_the_slot_layer_nothing() -> None:
    labels = token_slot_labels([(0, 0), (0, 4), (0, 0)], [1, 0, 1], 0, [0, 1, 2, 3], None, ["O"], "hola")
    assert labels == [IGNORE] * 3


def test_the_collator_pads_ids_masks_and_slot_labels_apart() -> None:
    batch = JointCollator(pad_id=1)([
        {"input_ids": [0, 5, 2], "attention_mask": [1, 1, 1], "slot_labels": [IGNORE, 3, IGNORE], "labels": 2},
        {"input_ids": [0, 2], "attention_mask": [1, 1], "slot_labels": [IGNORE, IGNORE], "labels": 0},
    ])
    assert batch["input_ids"].tolist() == [[0, 5, 2], [0, 2, 1]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert batch["slot_labels"].tolist() == [[IGNORE, 3, IGNORE], [IGNORE, IGNORE, IGNORE]]
    assert batch["labels"].tolist() == [2, 0]


def test_the_slot_layer_starts_at_the_tags_frequencies() -> None:
    from transformers import BertConfig, BertForSequenceClassification

    from scripts.joint import JointModel

    config = BertConfig(vocab_size=30, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=16, num_labels=3)
    model = JointModel(BertForSequenceClassification(config), num_tags=3)
    model.init_prior([97, 1, 0])
    probs = torch.softmax(model.slot_head.bias.detach(), 0)
    assert math.isclose(float(probs[0]), 98 / 101, rel_tol=1e-5)  # add-one smoothed shares
    assert float(model.slot_head.weight.detach().abs().max()) < 0.2  # small weights: the prior decides at the start
    ids = torch.tensor([[2, 5, 6, 3]])
    out = model(ids, torch.ones_like(ids), labels=torch.tensor([1]), slot_labels=torch.tensor([[IGNORE, 0, 1, IGNORE]]))
    assert out["slot_logits"].shape == (1, 4, 3) and out["loss"].ndim == 0


def test_the_contrastive_loss_rewards_requests_grouped_by_intent() -> None:
    from scripts.joint import supervised_contrastive_loss

    labels = torch.tensor([0, 0, 1, 1, 2])
    grouped = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9], [-1.0, 0.0]])
    mixed = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.1, 0.9], [-1.0, 0.0]])
    assert supervised_contrastive_loss(grouped, labels, 0.3) < supervised_contrastive_loss(mixed, labels, 0.3)


def test_out_of_scope_rows_are_only_negatives_in_the_contrastive_loss() -> None:
    from scripts.joint import supervised_contrastive_loss

    vectors = torch.randn(4, 3, requires_grad=True)
    only_free = supervised_contrastive_loss(vectors, torch.tensor([5, 5, 5, 1]), 0.3, free_label=5)
    assert float(only_free.detach()) == 0.0  # no anchor: out of scope is no class, intent 1 has no partner
    with_pair = supervised_contrastive_loss(vectors, torch.tensor([5, 5, 1, 1]), 0.3, free_label=5)
    with_pair.backward()
    assert float(with_pair.detach()) > 0 and vectors.grad is not None and bool(vectors.grad[:2].abs().sum() > 0)


def test_the_joint_model_adds_the_contrastive_term_when_weighted() -> None:
    from transformers import BertConfig, BertForSequenceClassification

    from scripts.joint import JointModel

    config = BertConfig(vocab_size=30, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=16, num_labels=3, hidden_dropout_prob=0.0,
                        attention_probs_dropout_prob=0.0)
    torch.manual_seed(0)
    classifier = BertForSequenceClassification(config)
    ids = torch.tensor([[2, 5, 6, 3], [2, 7, 8, 3], [2, 9, 6, 3]])
    labels = torch.tensor([1, 1, 0])
    plain = JointModel(classifier, num_tags=3).eval()
    weighted = JointModel(classifier, num_tags=3, contrastive_weight=0.5, contrast_free_label=2).eval()
    weighted.slot_head.load_state_dict(plain.slot_head.state_dict())
    from scripts.joint import supervised_contrastive_loss

    base = plain(ids, torch.ones_like(ids), labels=labels)["loss"]
    more = weighted(ids, torch.ones_like(ids), labels=labels)["loss"]
    hidden = classifier(input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True).hidden_states[-1]
    pooled = classifier.bert.pooler(hidden)  # the vector the intent layer reads
    expected = base + 0.5 * supervised_contrastive_loss(pooled, labels, 0.3, free_label=2)
    assert torch.allclose(more.detach(), expected.detach(), atol=1e-6)


def test_layer_decay_slows_each_lower_layer_and_is_off_at_one() -> None:
    from transformers import BertConfig, BertForSequenceClassification

    from scripts.joint import JointModel
    from scripts.train import TrainConfig, _optimizer

    config = BertConfig(vocab_size=30, hidden_size=8, num_hidden_layers=3, num_attention_heads=2,
                        intermediate_size=16, num_labels=3)
    model = JointModel(BertForSequenceClassification(config), num_tags=3)

    def rate_of(cfg: TrainConfig, wanted: str) -> float:
        target = dict(model.named_parameters())[wanted]
        return next(g["lr"] for g in _optimizer(model, cfg).param_groups if any(p is target for p in g["params"]))

    decayed = TrainConfig(learning_rate=1e-4, layer_decay=0.5)
    assert rate_of(decayed, "classifier.classifier.weight") == 1e-4  # the heads learn at the full rate
    assert rate_of(decayed, "classifier.bert.encoder.layer.2.output.dense.weight") == 0.5e-4
    assert rate_of(decayed, "classifier.bert.encoder.layer.0.output.dense.weight") == 0.125e-4
    assert rate_of(decayed, "classifier.bert.embeddings.word_embeddings.weight") == 0.0625e-4
    plain = TrainConfig(learning_rate=1e-4)
    assert {rate_of(plain, name) for name, _ in model.named_parameters() if not name.startswith("slot")} == {1e-4}
