"""The one error hierarchy of the assistant.

Every message says what was expected, what was found and how to fix it. Low confidence is a normal
result (Prediction.needs_clarification), never an error.
"""


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class BundleError(AssistantError):
    """A model bundle is missing, corrupt or does not match what the engine expects."""


class BundleNotFoundError(BundleError):
    """The bundle folder or one of its files does not exist."""


class BundleCorruptError(BundleError):
    """A bundle file is unreadable or its checksum differs from the manifest."""


class BundleMismatchError(BundleError):
    """The bundle's parts disagree (label count vs model output, schema version, ...)."""


class InputTextError(AssistantError):
    """The request text cannot be classified (empty, whitespace only, nothing left after cleaning)."""


class DatasetError(AssistantError):
    """The intents dataset file is malformed."""


class ConfigError(AssistantError):
    """A configuration value is out of range or of the wrong kind."""


class DeviceError(AssistantError):
    """The requested compute device is not available."""


class ActionError(AssistantError):
    """An action plugin could not be found or loaded."""


class EngineProcessError(AssistantError):
    """The engine's child process died or answered something unreadable."""


class EngineTimeoutError(EngineProcessError):
    """The engine's child process did not answer in time (it was stopped and restarted)."""


class EngineRestartedError(EngineProcessError):
    """The engine process failed (timeout, crash, garbage) and was restarted with the last good model."""


class BundleCodeError(BundleCorruptError):
    """model.pt holds TorchScript ops or classes the export never writes (file access, printing, foreign code)."""


class InstallError(AssistantError):
    """A bundle could not be installed into the model folder (the last good bundle is kept)."""


class FeedbackError(AssistantError):
    """The feedback database cannot be read (not a database, wrong schema, too many rows)."""


class BundleTimeoutError(BundleCorruptError):
    """The model did not finish its load check in time (a graph that loops); its thread cannot be stopped."""


class ModelOutputError(BundleError):
    """The model returned scores that are not probabilities (NaN, out of [0, 1], wrong width)."""


class StorageError(AssistantError):
    """The local database cannot be written (full disk, read-only folder); answers still work."""


class BundleCanaryError(BundleMismatchError):
    """A hot-swapped bundle sends requests the model in use answers confidently to other intents (labels swapped?)."""
