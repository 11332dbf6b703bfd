"""Action plugins: one per intent, discovered through the `offline_assistant.actions` entry-point group.

Plugin authors: import from `core.actions.api` (the documented, typed plugin API). A plugin is a class taking
ActionServices and offering `intent: str` and `run(request) -> ActionResult`. Register it in your package's
pyproject.toml:

    [project.entry-points."offline_assistant.actions"]
    get_weather = "my_package.weather:WeatherAction"
"""

from core.actions.base import Action, ActionRequest, ActionResult, ActionServices, Link
from core.actions.registry import ENTRY_POINT_GROUP, ActionRegistry

__all__ = ["ENTRY_POINT_GROUP", "Action", "ActionRegistry", "ActionRequest", "ActionResult", "ActionServices", "Link"]
