from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from scripts.augment import noisy, noisy_copies

if TYPE_CHECKING:
    from scripts.evaluate import Scored


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one deletion, insertion, substitution or swap of two neighbouring letters."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


TEXTS = ["what are your opening hours", "¿qué noticias hay de tecnología?", "track my order 12345 please",
         "quiero cambiar mi correo", "ayuda", "hi", "necesito la dirección del local", "do you take visa"]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("seed", [1, 2, 3, 13])
def test_a_copy_has_one_typo_or_one_filler_and_keeps_numbers_and_first_letters(text: str, seed: int) -> None:
    copy, _ = noisy(text, seed)
    assert copy == noisy(text, seed)[0]  # deterministic
    if _one_edit(text, copy):
        words, changed = text.split(), copy.split()
        assert len(words) == len(changed)
        for old, new in zip(words, changed, strict=True):
            if old != new:
                assert old[0] == new[0] and len(old) >= 4 and not any(c.isdigit() for c in old)
    else:  # a filler before or after, and nothing else
        assert copy.startswith(text + " ") or copy.endswith(" " + text), copy
    assert "12345" in copy or "12345" not in text


def test_typos_never_touch_a_slot_and_spans_follow_the_text() -> None:
    text = "¿qué noticias hay de tecnología para mañana?"
    spans = ((21, 31, "topic"), (37, 43, "day"))
    assert [text[a:b] for a, b, _ in spans] == ["tecnología", "mañana"]
    rows, moved = noisy_copies([(text, "get_news")], {text: spans}, share=1.0, seed=5)
    assert len(rows) == 2 and rows[0] == (text, "get_news") and rows[1][1] == "get_news"
    copy = rows[1][0]
    assert [copy[a:b] for a, b, _ in moved[copy]] == ["tecnología", "mañana"]
    kinds = set()
    for seed in range(40):
        copy, shifted = noisy(text, seed, spans)
        assert [copy[a:b] for a, b, _ in shifted] == ["tecnología", "mañana"], (seed, copy)
        kinds.add("longer" if len(copy) == len(text) + 1 else "shorter" if len(copy) == len(text) - 1
                  else "same length" if len(copy) == len(text) else "filler before" if shifted[0][0] > 21
                  else "filler after")
    # deleted, doubled, swapped or replaced letters and fillers on both sides: every kind was checked above
    assert kinds == {"longer", "shorter", "same length", "filler before", "filler after"}


def test_the_share_picks_rows_by_their_own_text_and_skips_clashes() -> None:
    rows = [(f"please show the news about topic number {i}", "get_news") for i in range(400)]
    assert noisy_copies(rows, {}, 0.0, 13) == (rows, {})
    quarter, _ = noisy_copies(rows, {}, 0.25, 13)
    assert 60 <= len(quarter) - len(rows) <= 140
    # adding rows never changes which of the others get a copy, nor their copies
    more, _ = noisy_copies([("set an alarm for seven", "out_of_scope"), *rows], {}, 0.25, 13)
    assert set(quarter) <= set(more)
    # rows without spans make copies without spans (the slot loss skips both)
    _, spans = noisy_copies(rows, {}, 1.0, 13)
    assert spans == {}
    # a copy that is already a row is not added twice
    text = "what are your opening hours"
    copy = noisy(text, 13)[0]
    both, _ = noisy_copies([(text, "get_business_information"), (copy, "out_of_scope")], {}, 1.0, 13)
    assert [t for t, _ in both].count(copy) == 1
    # nor one that the model would read as a held-out (val/test) request: that would leak it into training
    held, _ = noisy_copies([(text, "get_business_information")], {}, 1.0, 13, avoid=[copy.upper()],
                           form="fold-v1")
    assert held == [(text, "get_business_information")]
    # with the run's lexicon, a typo it reads back as the word meant is the row itself: no copy; fillers and typos
    # it cannot undo (in a word of three letters: "shw", "nws") stay
    from core.spelling import Speller, count_words
    from core.text import model_form

    speller = Speller(count_words([t for t, _ in rows], "fold-v1"))
    spelled, _ = noisy_copies(rows, {}, 1.0, 13, form="fold-v1", speller=speller)
    kept = [t for t, _ in spelled[len(rows):]]
    plain, _ = noisy_copies(rows, {}, 1.0, 13, form="fold-v1")
    assert 0 < len(kept) < len(plain) - len(rows)
    read = {model_form(t, "fold-v1", speller) for t, _ in rows}
    assert not any(model_form(t, "fold-v1", speller) in read for t in kept)
    with pytest.raises(ValueError, match="share"):
        noisy_copies(rows, {}, 1.5, 13)


def _scored(text: str, gold: str, intent: str, confidence: float, asks: bool) -> Scored:
    from core.prediction import Prediction, Score
    from scripts.evaluate import Scored

    ranking = (Score(intent, confidence), Score("other", 1 - confidence))
    return Scored(text, gold, Prediction(text, intent, confidence, ranking, asks, intent == "out_of_scope", False,
                                         1.0))


def test_robustness_counts_a_decision_the_noise_changed() -> None:
    from scripts.evaluate import robustness

    clean = [_scored("hours", "info", "info", 0.9, False), _scored("news", "news", "news", 0.8, False),
             _scored("alarm", "out_of_scope", "out_of_scope", 0.9, True),
             _scored("hepl", "help", "help", 0.5, True)]
    spoilt = [_scored("hoours", "info", "info", 0.85, False),  # same decision, other confidence: unchanged
              _scored("nwes", "news", "out_of_scope", 0.9, True),  # now asks: changed
              _scored("alamr", "out_of_scope", "info", 0.6, True),  # asks either way: unchanged
              _scored("hlep", "help", "help", 0.8, False)]  # now acts: changed
    figures = robustness(clean, spoilt)
    assert figures["noisy_same_decision_rate"] == 0.5
    assert figures["noisy_right_decisions"] == 3
    assert [c["noisy"] for c in figures["noisy_changed"]] == ["nwes", "hlep"]
