"""The versioned JSON-lines protocol between the app and its engine process; every message typed and checked.

    child -> parent, once:  {"protocol": 1, "type": "hello", "info": {...EngineInfo}}   or "error": {...}
    parent -> child:        {"protocol": 1, "type": "score", "id": 7, "texts": ["..."]}
    child -> parent:        {"protocol": 1, "type": "scores", "id": 7, "scores": [{...Scores}]}   or "error"

Anything else on the pipe (a stray print from a library, a half line, an old reply) is rejected by `decode_*`
with EngineProcessError; the parent logs it and keeps waiting for the reply it asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core import errors
from core.prediction import EngineInfo, Scores

PROTOCOL = 1
MAX_LINE = 4 << 20  # bytes; a reply for a batch of 64 requests is ~30 kB


@dataclass(frozen=True)
class WireError:
    """An AssistantError sent across the pipe: its class name (one of core.errors) and its message."""

    kind: str
    message: str

    @staticmethod
    def of(exc: BaseException) -> WireError:
        kind = type(exc).__name__ if isinstance(exc, errors.AssistantError) else "EngineProcessError"
        return WireError(kind, str(exc) or type(exc).__name__)

    def to_exception(self) -> errors.AssistantError:
        kind = getattr(errors, self.kind, None)
        if not (isinstance(kind, type) and issubclass(kind, errors.AssistantError)):
            kind = errors.EngineProcessError
        return kind(self.message)

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}

    @staticmethod
    def from_json(raw: Any) -> WireError:
        if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str) or not isinstance(
                raw.get("message"), str):
            raise errors.EngineProcessError("engine error message is malformed.")
        return WireError(raw["kind"], raw["message"][:2000])


@dataclass(frozen=True)
class Hello:
    info: EngineInfo | None  # None when loading failed
    error: WireError | None = None


@dataclass(frozen=True)
class ScoreRequest:
    id: int
    texts: tuple[str, ...]


@dataclass(frozen=True)
class ScoreReply:
    id: int
    scores: tuple[Scores, ...] = ()
    error: WireError | None = None


Message = Hello | ScoreRequest | ScoreReply


def encode(message: Message) -> str:
    body: dict[str, Any]
    if isinstance(message, Hello):
        body = {"type": "hello", **({"info": message.info.to_json()} if message.info else {})}
    elif isinstance(message, ScoreRequest):
        body = {"type": "score", "id": message.id, "texts": list(message.texts)}
    else:
        body = {"type": "scores", "id": message.id, "scores": [s.to_json() for s in message.scores]}
    if not isinstance(message, ScoreRequest) and message.error:
        body["error"] = message.error.to_json()
    # allow_nan=False: a NaN that slipped through would make invalid JSON; fail here, loudly, instead
    return json.dumps({"protocol": PROTOCOL, **body}, ensure_ascii=False, allow_nan=False) + "\n"


def _parse(line: str, expected: str) -> dict[str, Any]:
    if len(line) > MAX_LINE:
        raise errors.EngineProcessError(f"engine message of {len(line)} characters is over {MAX_LINE}.")
    try:
        raw = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise errors.EngineProcessError(f"unreadable engine message {line[:80]!r}") from exc
    if not isinstance(raw, dict) or raw.get("type") != expected:
        raise errors.EngineProcessError(f"expected a {expected!r} engine message, found {line[:80]!r}")
    if raw.get("protocol") != PROTOCOL:
        raise errors.EngineProcessError(
            f"engine protocol {raw.get('protocol')!r} found, {PROTOCOL} expected: the engine and the app come "
            "from different versions; reinstall the app."
        )
    return raw


def _id(raw: dict[str, Any]) -> int:
    value = raw.get("id")
    if not isinstance(value, int) or isinstance(value, bool):
        raise errors.EngineProcessError("engine message lacks an integer id.")
    return value


def decode_hello(line: str) -> Hello:
    raw = _parse(line, "hello")
    if "error" in raw:
        return Hello(None, WireError.from_json(raw["error"]))
    return Hello(EngineInfo.from_json(raw.get("info")))


def decode_request(line: str) -> ScoreRequest:
    raw = _parse(line, "score")
    texts = raw.get("texts")
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise errors.EngineProcessError("a score request needs a non-empty list of texts.")
    return ScoreRequest(_id(raw), tuple(texts))


def decode_reply(line: str) -> ScoreReply:
    raw = _parse(line, "scores")
    if "error" in raw:
        return ScoreReply(_id(raw), (), WireError.from_json(raw["error"]))
    scores = raw.get("scores")
    if not isinstance(scores, list):
        raise errors.EngineProcessError("a scores reply needs a list of scores.")
    return ScoreReply(_id(raw), tuple(Scores.from_json(s) for s in scores))
