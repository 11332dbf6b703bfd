"""The one explicit context built at start-up and passed down (no module-level singletons)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.actions import ActionRegistry, ActionServices
from core.errors import DatasetError
from core.intents import IntentDataset, load_dataset
from core.paths import AppPaths, default_paths
from core.settings import Settings, load_settings
from core.storage import Storage


@dataclass
class AppContext:
    paths: AppPaths
    settings: Settings
    storage: Storage
    actions: ActionRegistry
    dataset: IntentDataset | None  # the intents file, for help; None if it is missing

    @property
    def model_dir(self) -> Path:
        return Path(self.settings.model_dir) if self.settings.model_dir else self.paths.default_model

    def close(self) -> None:
        self.storage.close()


def _dataset(paths: AppPaths) -> IntentDataset | None:
    try:
        return load_dataset(paths.resources / "intents.yaml")
    except DatasetError:
        return None  # help then lists no examples; the assistant still works


def build_context(paths: AppPaths | None = None, settings: Settings | None = None) -> AppContext:
    paths = (paths or default_paths()).ensure()
    settings = settings if settings is not None else load_settings(paths.settings_file)
    storage = Storage(paths.database)
    dataset = _dataset(paths)
    services = ActionServices(settings=settings, resources=paths.resources, storage=storage, dataset=dataset)
    return AppContext(paths, settings, storage, ActionRegistry.discover(services), dataset)
