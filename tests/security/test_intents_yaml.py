"""Hostile intents.yaml files: aliases, sizes, wrong kinds, runaway memory (issue 24 item 6)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

import core.intents as intents_module
from core.cli import main
from core.errors import DatasetError
from core.intents import MAX_EXAMPLES, MAX_INTENTS, load_dataset

OOS = "out_of_scope:\n  examples: [set an alarm]\n"


def _intent(name: str, examples: str) -> str:
    return (f"  - name: {name}\n    display_name: {{es: N, en: N}}\n    description: {{es: D, en: D}}\n"
            f"    examples: {examples}\n")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "intents.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(4))


@pytest.mark.parametrize("text", [
    ALIAS_BOMB,  # a small billion laughs (9^5 leaves): the real one is 704 bytes and 2.5 GB
    "intents:\n" + _intent("get_news", "&ex [news today]") + _intent("get_help", "*ex") + OOS,
    "intents:\n" + _intent("get_news", "[!!str news today]") + "  - &anchored\n    name: x\n" + OOS,
])
def test_anchors_and_aliases_are_refused_before_anything_is_built(tmp_path: Path, text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(DatasetError, match="anchors and aliases"):
        load_dataset(_write(tmp_path, text))
    assert time.perf_counter() - started < 2


def test_too_many_intents_are_refused(tmp_path: Path) -> None:
    many = "".join(_intent(f"intent_{i}", f"[request number {i}]") for i in range(MAX_INTENTS + 1))
    with pytest.raises(DatasetError, match=f"at most {MAX_INTENTS} intents"):
        load_dataset(_write(tmp_path, "intents:\n" + many + OOS))


def test_too_many_examples_in_one_list_are_refused(tmp_path: Path) -> None:
    examples = "[" + ", ".join(f"request {i}" for i in range(MAX_EXAMPLES + 1)) + "]"
    with pytest.raises(DatasetError, match=f"more than {MAX_EXAMPLES}"):
        load_dataset(_write(tmp_path, "intents:\n" + _intent("get_news", examples) + OOS))


@pytest.mark.parametrize("examples", ["[[news, today], fine]", "[{what: news}, fine]", "[fine, [nested]]"])
def test_an_example_that_is_not_text_is_refused(tmp_path: Path, examples: str) -> None:
    with pytest.raises(DatasetError, match="must be text"):
        load_dataset(_write(tmp_path, "intents:\n" + _intent("get_news", examples) + OOS))


def test_deep_nesting_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError):
        load_dataset(_write(tmp_path, "[" * 5000 + "]" * 5000))


@pytest.mark.parametrize("error", [MemoryError, RecursionError])
def test_memory_and_recursion_errors_become_dataset_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           error: type[BaseException]) -> None:
    def exhausted(*_args: object, **_kwargs: object) -> None:
        raise error()

    monkeypatch.setattr(intents_module.yaml, "load", exhausted)
    with pytest.raises(DatasetError, match=error.__name__):
        load_dataset(_write(tmp_path, "intents:\n" + _intent("get_news", "[news]") + OOS))


def test_validate_intents_reports_an_alias_file_without_a_traceback(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-intents", str(_write(tmp_path, ALIAS_BOMB))]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "anchors and aliases" in err and "Traceback" not in err


def test_the_shipped_file_still_loads() -> None:
    from core.paths import resource_path

    path = resource_path("intents.yaml")
    assert len(load_dataset(path).intents) == path.read_text(encoding="utf-8").count("\n  - name: ")
    assert yaml.__with_libyaml__  # the fast parser: the event pass costs milliseconds
