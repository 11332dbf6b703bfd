"""The plugin API: everything an action plugin imports, and nothing else of core is promised to stay.

    from core.actions.api import ActionRequest, ActionResult, ActionServices, ResultKind, tr

    MESSAGES = {"title": {"es": "El tiempo", "en": "Weather"}}

    class WeatherAction:
        intent = "get_weather"

        def __init__(self, services: ActionServices) -> None:
            self.services = services          # settings (live), resources, a read-only profile, the clock

        def run(self, request: ActionRequest) -> ActionResult:
            title = tr(MESSAGES, "title", request.language)
            return ActionResult(title=title, body=f"You asked: {request.text}", kind=ResultKind.TEXT)

Register the class under the entry-point group ENTRY_POINT_GROUP in the plugin's pyproject.toml:

    [project.entry-points."offline_assistant.actions"]
    get_weather = "my_package.weather:WeatherAction"

A plugin that raises becomes an error card, never a crash. `services.profile` is the user's profile, read-only;
`services.settings` is read live (a setting changed in the window applies to the next request). The package
ships `py.typed`, so mypy checks a plugin against these types. Compatibility follows the version scheme in
CONTRIBUTING.md: these names change incompatibly only in a major version.
"""

from core.actions.base import (
    Action,
    ActionRequest,
    ActionResult,
    ActionServices,
    Link,
    ProfileReader,
    ResultKind,
)
from core.actions.registry import ENTRY_POINT_GROUP
from core.i18n import LANGUAGES, tr
from core.prediction import Prediction

__all__ = [
    "ENTRY_POINT_GROUP",
    "LANGUAGES",
    "Action",
    "ActionRequest",
    "ActionResult",
    "ActionServices",
    "Link",
    "Prediction",
    "ProfileReader",
    "ResultKind",
    "tr",
]
