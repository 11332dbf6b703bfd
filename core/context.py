"""The one explicit context built at start-up and passed down (no module-level singletons)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.actions import ActionRegistry, ActionServices
from core.errors import DatasetError
from core.intents import IntentDataset, load_dataset
from core.paths import AppPaths, default_paths
from core.settings import Overrides, Settings, SettingsStore
from core.storage import Storage

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    paths: AppPaths
    store: SettingsStore  # read live: `context.settings` is always the current value
    storage: Storage
    actions: ActionRegistry
    dataset: IntentDataset | None  # the intents file, for help; None if it is missing

    @property
    def settings(self) -> Settings:
        return self.store.current

    @property
    def model_dir(self) -> Path:
        """The bundle to load: --model, else the saved choice, else the bundled model."""
        chosen = self.store.model_dir
        return Path(chosen) if chosen else self.paths.default_model

    @property
    def device(self) -> str:
        return self.store.device

    def close(self) -> None:
        self.storage.close()


def _dataset(paths: AppPaths, report: Callable[[str], None]) -> IntentDataset | None:
    """The intents file, or None when it is missing or broken: the assistant still works (the model does not
    read it), but help lists no examples and intents answered from the file have no action, so the problem is
    reported (the window shows the store's warnings at start-up; the log keeps it)."""
    path = paths.resources / "intents.yaml"
    try:
        return load_dataset(path)
    except DatasetError as exc:
        report(f"The intents file could not be read, so help lists no examples and intents answered from it do "
               f"nothing: {exc} Check it with `python -m core validate-intents {path}`.")
        return None


def build_context(paths: AppPaths | None = None, settings: Settings | None = None,
                  overrides: Overrides | None = None, save: bool = True) -> AppContext:
    """`settings` given: use them (and do not read the file); `save=False`: never write settings to disk."""
    paths = (paths or default_paths()).ensure()
    store = SettingsStore(paths.settings_file if save else None, settings, overrides)
    storage = Storage(paths.database)

    def report(message: str) -> None:
        log.error(message)
        store.warnings.append(message)

    dataset = _dataset(paths, report)
    services = ActionServices(store=store, resources=paths.resources, storage=storage, dataset=dataset,
                              cache_dir=paths.data_dir / "cache")
    return AppContext(paths, store, storage, ActionRegistry.discover(services), dataset)
