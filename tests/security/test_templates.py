"""Answer templates from intents.yaml: no format spec, width or conversion gets through (issue 24 item 5)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.actions.answer import render_answer
from core.cli import main
from core.errors import DatasetError
from core.intents import check_template, load_dataset
from core.paths import resource_path

HOSTILE = ["{shipping:x>20000000}", "{shipping:>300000000}", "{phone:^40}", "{phone!r}", "{phone!s:>5}",
           "{phone:{width}}", "{phone.__class__}", "{phone[0]}", "{0}"]


def _with_answer(tmp_path: Path, template: str) -> Path:
    """The shipped intents file with the first intent's English answer replaced by `template`."""
    text = resource_path("intents.yaml").read_text(encoding="utf-8")
    marker = "  - name: "
    head, first, rest = text.partition(marker)
    name_line, newline, body = rest.partition("\n")
    answer = f'    answer:\n      es: "Hola"\n      en: "{template}"\n'
    path = tmp_path / "intents.yaml"
    path.write_text(head + first + name_line + newline + answer + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("template", HOSTILE)
def test_a_template_with_a_spec_width_or_conversion_is_refused_fast(tmp_path: Path, template: str) -> None:
    path = _with_answer(tmp_path, template)
    started = time.perf_counter()
    with pytest.raises(DatasetError, match="placeholder"):
        load_dataset(path)
    assert time.perf_counter() - started < 2


def test_validate_intents_reports_a_width_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-intents", str(_with_answer(tmp_path, "{shipping:x>20000000}"))]) == 1
    err = capsys.readouterr().err
    assert "format spec, width or conversion" in err and "{shipping:x>20000000}" in err


def test_a_plain_template_still_loads_and_renders(tmp_path: Path) -> None:
    dataset = load_dataset(_with_answer(tmp_path, "We deliver: {shipping}."))
    answer = dataset.intents[0].answer
    assert answer is not None and render_answer(answer["en"], {"shipping": "free"}) == "We deliver: free."


def test_the_renderer_never_applies_a_spec_that_slipped_past() -> None:
    """Defence in depth: a template built in code (not through the loader) renders at its own size."""
    started = time.perf_counter()
    rendered = render_answer("{shipping:x>20000000} {phone!r}", {"shipping": "free", "phone": "600"})
    assert rendered == "free 600" and time.perf_counter() - started < 0.5


def test_templates_are_checked_by_rendering_with_sample_values() -> None:
    assert check_template("{phone} / {email}") == {"phone", "email"}
    with pytest.raises(ValueError, match="characters long"):
        check_template("x" * 30_000)
