"""Offline assistant core: engine, clarification policy, actions, storage and CLI (no Qt, no transformers)."""

from importlib import metadata

try:
    __version__ = metadata.version("offline-assistant")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
