"""The Spanish translation is complete and matches the strings in the code."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

TS = Path("desktop/i18n/assistant_es.ts")


def test_every_source_string_has_a_finished_spanish_translation() -> None:
    messages = list(ET.parse(TS).iter("message"))
    assert len(messages) >= 50
    for message in messages:
        translation = message.find("translation")
        assert translation is not None and translation.text, message.findtext("source")
        assert translation.get("type") not in ("unfinished", "obsolete"), message.findtext("source")


def test_every_tr_string_in_the_code_is_in_the_ts_file() -> None:
    sources = {m.findtext("source") for m in ET.parse(TS).iter("message")}
    code = "".join(p.read_text(encoding="utf-8") for p in Path("desktop").glob("*.py"))
    used = set(re.findall(r'\.tr\("((?:[^"\\]|\\.)*)"\)', code))
    used |= set(re.findall(r'translate\("Errors", "([^"]*)"\)', code))
    assert used and used <= sources, used - sources


def test_compiled_translation_exists() -> None:
    assert TS.with_suffix(".qm").stat().st_size > 1000
