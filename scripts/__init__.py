"""Training, export, evaluation, benchmark and build scripts (run as `python -m scripts.NAME`)."""
