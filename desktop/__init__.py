"""The PySide6 desktop assistant. `AssistantPanel` is the embeddable widget (see README, "Embedding")."""
