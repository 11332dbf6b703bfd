"""Suggest inline slot annotations for intent examples that have none, from the rule tagger (core/slots.py).

    python -m scripts.annotate resources/intents.yaml            # print the suggestions (nothing written)
    python -m scripts.annotate resources/intents.yaml --write    # write them into the file, in place

A deployer who adds examples runs this, reads the diff and corrects it: the rules know the words of
resources/locale/<lang>/slots.yaml, the model learns from the annotated examples to tag words the rules do not
know ("noticias sobre [criptomonedas](topic)"). Only examples without any annotation are touched, each line is
rewritten alone (comments and layout stay) and the file must load to the same plain examples afterwards.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

import yaml

from core.intents import load_dataset, parse_markup
from core.language import guess_language
from core.slots import Slot, tag

# The slots a rule-tagged span may carry in each shipped intent: a field word in a news request ("the phone
# news") or a topic word in an hours question is not what that intent's action reads. Other intents (a
# deployer's) get the intent-neutral ones.
NEUTRAL = ("day", "time", "part_of_day", "order_ref")
INTENT_SLOTS: Mapping[str, tuple[str, ...]] = {
    "get_news": ("topic", "day"),
    "get_business_information": ("day", "time", "part_of_day", "field"),
    "get_profile": ("field",),
    "get_shipping": ("day", "time", "order_ref"),
    "get_help": (),
}


# The profile holds these details only: "open my profile" names no field, and «¿cómo me llamo?» asks for a name.
PROFILE_FIELDS = frozenset({"name", "email", "phone", "address", "language", "preferences", "contact", "description"})


def fits(slot: Slot, intent: str) -> bool:
    """Whether the intent's action reads this rule-tagged slot (INTENT_SLOTS, PROFILE_FIELDS)."""
    if slot.name not in INTENT_SLOTS.get(intent, NEUTRAL):
        return False
    return intent != "get_profile" or slot.value in PROFILE_FIELDS


def annotate(text: str, intent: str) -> str:
    """`text` with the rule-tagged slots the intent uses written inline; unchanged when none apply."""
    slots: list[Slot] = [s for s in tag(text, guess_language(text)) if fits(s, intent)]
    out, last = [], 0
    for slot in slots:
        words = text[slot.start:slot.end]
        if "[" in words or "]" in words or "(" in words or ")" in words:
            continue
        out += [text[last:slot.start], f"[{words}]({slot.name})"]
        last = slot.end
    out.append(text[last:])
    return "".join(out)


def _yaml_item(value: str) -> str:
    """A YAML list item's text for `value`: plain when YAML reads it back unchanged, else double-quoted."""
    try:
        if yaml.load(f"- {value}", Loader=yaml.BaseLoader) == [value]:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def suggest(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The file's lines with suggestions applied, and (before, after) for each changed example."""
    dataset = load_dataset(path)
    intent_of = {text: intent.name for intent in dataset.intents for text in intent.examples}
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changes: list[tuple[str, str]] = []
    section = ""
    for number, line in enumerate(lines):
        if not line.startswith(" "):
            section = line.split(":")[0]
        stripped = line.strip()
        if section != "intents" or not stripped.startswith("- "):
            continue
        try:
            item = yaml.load(stripped, Loader=yaml.BaseLoader)
        except yaml.YAMLError:
            continue
        if not (isinstance(item, list) and len(item) == 1 and isinstance(item[0], str)):
            continue
        raw = item[0]
        plain, spans = parse_markup(raw)
        if spans or plain not in intent_of:
            continue  # annotated already (a person's work wins), or not an example (a help phrase, a name)
        marked = annotate(plain, intent_of[plain])
        if marked != plain:
            indent = line[:len(line) - len(line.lstrip())]
            lines[number] = f"{indent}- {_yaml_item(marked)}\n"
            changes.append((plain, marked))
    return lines, changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--write", action="store_true", help="write the suggestions into the file")
    args = parser.parse_args(argv)
    before = load_dataset(args.path)
    lines, changes = suggest(args.path)
    for plain, marked in changes:
        print(f"{plain}\n  -> {marked}")
    print(f"{len(changes)} example(s) annotated")
    if args.write and changes:
        tmp = args.path.with_name(args.path.name + ".tmp")
        tmp.write_text("".join(lines), encoding="utf-8")
        after = load_dataset(tmp)
        if after.rows() != before.rows():  # the markup must never change what an example says
            tmp.unlink()
            raise SystemExit("annotate: the rewritten file does not load to the same examples; nothing written.")
        tmp.replace(args.path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
