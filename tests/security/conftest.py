"""The window fixtures of tests/desktop, for the window's security cases here."""

from tests.desktop.conftest import context, factory, window

__all__ = ["context", "factory", "window"]
