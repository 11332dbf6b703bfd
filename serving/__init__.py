"""Serve the assistant's model bundle on a Ray Serve cluster (the `serve` extra). No Qt, no user database.

    python -m serving deploy --bundle resources/model --replicas 2 [--address HEAD:6379]
    python -m serving status
    python -m serving stop
    python -m serving smoke            # a local head + worker on 127.0.0.1, end to end

`ingress` (FastAPI app and its protections) and `config` (typed settings, the Serve config) import no Ray, so
their tests run without a cluster; `deployment`, `deploy` and `smoke` need `ray[serve]`.
"""
