"""The one validator of an intents file: what serves each intent, and whether a bundle matches the file.

    from core.validate import validate_intents
    report = validate_intents(dataset, registry, business_fields, manifest)   # manifest: optional
    report.ok, report.problems, report.notes, report.lines

Checks, each a problem (validation fails) unless said otherwise:
- every intent is served by a registered action: an installed plugin, or the generic answer action for an intent
  with `answer`/`link` (the registry decides, not an entry point's name);
- every `{field}` of an answer template is a field of business.toml;
- with a bundle: every intent of the file is a label of the bundle (else the model can never predict it), every
  label of the bundle is an intent of the file, every in-scope label has an action, and the file is the one the
  bundle was trained on (manifest `dataset_sha256`; a different file is a note: retrain to use its edits).
`python -m core validate-intents` prints the report; plugins and tests call `validate_intents` directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Set
from dataclasses import dataclass

from core.actions.registry import ActionRegistry
from core.bundle import Manifest
from core.intents import OUT_OF_SCOPE, IntentDataset, template_fields


@dataclass(frozen=True)
class ValidationReport:
    lines: tuple[str, ...]  # one line per intent: examples and what serves it
    problems: tuple[str, ...]  # each names what is wrong and how to fix it; any problem fails validation
    notes: tuple[str, ...] = ()  # worth knowing, not failures (a bundle trained on another version of the file)

    @property
    def ok(self) -> bool:
        return not self.problems


def served_by(intent: str, registry: ActionRegistry) -> str:
    """'plugin', 'answer' (the generic answer action) or 'NOTHING'."""
    from core.actions.answer import AnswerAction  # imported here: answer.py imports the registry's module

    if intent not in registry.intents:
        return "NOTHING"
    return "answer" if isinstance(registry.get(intent), AnswerAction) else "plugin"


def validate_intents(dataset: IntentDataset, registry: ActionRegistry, business_fields: Set[str],
                     manifest: Manifest | None = None) -> ValidationReport:
    lines: list[str] = []
    problems: list[str] = []
    notes: list[str] = []
    for intent in dataset.intents:
        served = served_by(intent.name, registry)
        counts = Counter(name for spans in intent.slot_spans for _, _, name in spans)
        slots = ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) or "none"
        lines.append(f"{intent.name}: {len(intent.examples)} examples (slots annotated: {slots}), served by {served}")
        if served == "NOTHING":
            problems.append(f"{intent.name} has neither an action plugin nor an 'answer'/'link': add an answer "
                            "text in intents.yaml or install a plugin for it.")
        for lang, text in (intent.answer or {}).items():
            unknown = sorted(template_fields(text) - business_fields)
            if unknown:
                problems.append(f"{intent.name} answer ({lang}) uses {unknown}, which business.toml does not have; "
                                f"known fields: {', '.join(sorted(business_fields))}.")
    lines.append(f"{OUT_OF_SCOPE}: {len(dataset.out_of_scope)} examples")
    if manifest is not None:
        problems += _bundle_problems(dataset, registry, manifest)
        if manifest.dataset_sha256 and dataset.sha256 and manifest.dataset_sha256 != dataset.sha256:
            notes.append("the bundle was trained on another version of this file (dataset_sha256 "
                         f"{manifest.dataset_sha256[:12]}…, the file is {dataset.sha256[:12]}…): its edits apply "
                         "after `python -m scripts.train --export DIR`.")
    return ValidationReport(tuple(lines), tuple(problems), tuple(notes))


def _bundle_problems(dataset: IntentDataset, registry: ActionRegistry, manifest: Manifest) -> list[str]:
    labels = set(manifest.label_names)
    out_of_scope = {label.name for label in manifest.labels if label.out_of_scope}
    names = {intent.name for intent in dataset.intents}
    problems = [f"{name} is in the file but not a label of the bundle: the model never predicts it; retrain "
                "(python -m scripts.train --export DIR)." for name in sorted(names - labels)]
    problems += [f"the bundle's label {name} is not an intent of the file: retrain on this file, or put the "
                 "intent back." for name in sorted(labels - names - out_of_scope - {OUT_OF_SCOPE})]
    problems += [f"the bundle's label {name} has no action: install its plugin or give it an 'answer' in the file."
                 for name in sorted(labels - out_of_scope - {OUT_OF_SCOPE}) if name not in registry.intents]
    return problems
