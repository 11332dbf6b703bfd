"""The one explicit context built at start-up and passed down (no module-level singletons)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.actions import ActionRegistry, ActionServices
from core.errors import DatasetError
from core.intents import IntentDataset, load_dataset
from core.paths import AppPaths, default_paths
from core.settings import Overrides, Settings, SettingsStore
from core.storage import Storage


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


def _dataset(paths: AppPaths) -> IntentDataset | None:
    try:
        return load_dataset(paths.resources / "intents.yaml")
    except DatasetError:
        return None  # help then lists no examples; the assistant still works


def build_context(paths: AppPaths | None = None, settings: Settings | None = None,
                  overrides: Overrides | None = None, save: bool = True) -> AppContext:
    """`settings` given: use them (and do not read the file); `save=False`: never write settings to disk."""
    paths = (paths or default_paths()).ensure()
    store = SettingsStore(paths.settings_file if save else None, settings, overrides)
    storage = Storage(paths.database)
    dataset = _dataset(paths)
    services = ActionServices(store=store, resources=paths.resources, storage=storage, dataset=dataset,
                              cache_dir=paths.data_dir / "cache")
    return AppContext(paths, store, storage, ActionRegistry.discover(services), dataset)
