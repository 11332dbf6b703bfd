"""get_news: headlines from RSS/Atom feeds (feedparser), topic words in the request first.

Network feeds are untrusted: each is fetched (on the worker thread, never the GUI's) with a 5 s deadline for
the whole download, at most 2 MB and 3 redirects, http(s) only; the last good copy is cached and used when a
fetch fails. Feed text loses control and escape characters; links keep only http(s).
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import re
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.actions.base import ActionRequest, ActionResult, ActionServices, Link
from core.i18n import tr
from core.text import fold, strip_escapes

MAX_ITEMS = 8
FETCH_DEADLINE_S = 5.0  # the whole download of one feed, not just each socket read
MAX_FEED_BYTES = 2 << 20
MAX_REDIRECTS = 3
MAX_ENTRIES_PER_FEED = 200
MAX_TITLE_CHARS, MAX_SUMMARY_CHARS = 300, 1000
log = logging.getLogger(__name__)


def clean_feed_text(text: Any, limit: int) -> str:
    """Feed text as plain, bounded text: ANSI sequences, control and bidi-override characters removed."""
    return " ".join(strip_escapes(str(text or "")).split())[:limit]


def safe_link(url: Any) -> str:
    """Only http(s) links from a feed are kept (no javascript:, file:, smb:, data:, or the app's own ask:)."""
    text = str(url or "").strip()
    return text if urlsplit(text).scheme.lower() in ("http", "https") and len(text) <= 2000 else ""


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            return None  # never follow a redirect to file: or another scheme
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_feed(url: str, deadline_s: float = FETCH_DEADLINE_S, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """Download one feed within `deadline_s` and `max_bytes`; raises OSError/ValueError otherwise."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValueError(f"only http(s) feeds are fetched, not {url!r:.80}")
    opener = urllib.request.build_opener(_LimitedRedirects)
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": "offline-assistant"})
    with opener.open(request, timeout=deadline_s) as response:
        chunks, size = [], 0
        while chunk := response.read1(64 << 10):  # read1: what has arrived, so the deadline is checked often
            size += len(chunk)
            if size > max_bytes:
                raise ValueError(f"feed {url!r:.80} is larger than {max_bytes >> 20} MB")
            if time.monotonic() - started > deadline_s:
                raise TimeoutError(f"feed {url!r:.80} took longer than {deadline_s:g} s")
            chunks.append(chunk)
    return b"".join(chunks)
# Canonical topics and the words (es/en, without accents) that name them in requests and feed categories.
TOPICS: dict[str, set[str]] = {
    "technology": {"tecnologia", "tech", "technology", "ia", "ai", "inteligencia", "artificial", "informatica",
                   "videojuegos", "games", "gadgets", "moviles", "smartphones", "software", "internet"},
    "sports": {"deportes", "deporte", "deportivas", "sports", "sport", "futbol", "football", "soccer",
               "baloncesto", "basketball", "tenis", "tennis", "marathon", "maraton"},
    "business": {"economia", "economy", "business", "negocios", "bolsa", "mercados", "markets", "stock",
                 "inflacion", "inflation", "finanzas", "finance"},
    "science": {"ciencia", "science", "espacio", "space", "astronomia", "investigacion", "research"},
    "health": {"salud", "health", "medicina", "medicine", "vacunas", "vaccines"},
    "politics": {"politica", "politics", "elecciones", "elections", "gobierno", "government", "parlamento"},
    "culture": {"cultura", "culture", "cine", "movies", "espectaculos", "entertainment", "musica", "music"},
    "climate": {"clima", "climatico", "climate", "medio", "ambiente", "environment"},
}
TOPIC_NAMES = {
    "es": {"technology": "tecnología", "sports": "deportes", "business": "economía", "science": "ciencia",
           "health": "salud", "politics": "política", "culture": "cultura", "climate": "clima"},
    "en": {topic: topic for topic in TOPICS},
}
MESSAGES = {
    "none_title": {"es": "Sin noticias", "en": "No news"},
    "none_body": {"es": "No hay titulares disponibles.", "en": "No headlines are available."},
    "title": {"es": "Noticias", "en": "News"},
    "other": {"es": "Otros titulares", "en": "Other headlines"},
    "no_topic": {"es": "Ahora no hay titulares de {topics}", "en": "No {topics} headlines right now"},
}
MAX_OTHER_ITEMS = 3  # headlines off the asked topic, shown apart below the ones on it
_STOP = {"noticias", "news", "de", "la", "el", "las", "los", "the", "of", "about", "sobre", "hay", "que", "what",
         "dame", "give", "me", "show", "today", "hoy", "latest", "ultimas", "headlines", "titulares", "any", "en"}


def words_of(text: str) -> set[str]:
    return set(re.findall(r"\w+", fold(text)))


def topics_in(words: set[str]) -> set[str]:
    return {topic for topic, vocabulary in TOPICS.items() if words & vocabulary}


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    published: datetime | None
    summary: str
    source: str
    topics: frozenset[str]
    words: frozenset[str]

    def to_json(self, match: bool) -> dict[str, Any]:
        return {"title": self.title, "link": self.link, "source": self.source, "summary": self.summary,
                "published": self.published.isoformat() if self.published else None, "topic_match": match}


def _item(entry: Any, source: str) -> Item:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        published = datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    except (OverflowError, ValueError, TypeError):
        published = None
    categories = clean_feed_text(" ".join(str(tag.get("term", "")) for tag in entry.get("tags", [])[:20]), 500)
    title = clean_feed_text(entry.get("title", ""), MAX_TITLE_CHARS)
    summary = clean_feed_text(entry.get("summary", ""), MAX_SUMMARY_CHARS)
    return Item(title, safe_link(entry.get("link", "")), published, summary, clean_feed_text(source, 100),
                frozenset(topics_in(words_of(categories + " " + title))),
                frozenset(words_of(f"{title} {summary} {categories}")))


def rank_items(items: list[Item], request_words: set[str]) -> list[tuple[Item, bool]]:
    """Items on an asked topic first (score 2), then those sharing request words (1); newest first within."""
    asked = topics_in(request_words)
    content_words = request_words - _STOP - set().union(*TOPICS.values())

    def score(item: Item) -> int:
        return 2 * bool(asked & item.topics) + bool(content_words & item.words)

    oldest = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(items, key=lambda it: (score(it), it.published or oldest), reverse=True)
    return [(item, score(item) > 0) for item in ranked]


class NewsAction:
    intent = "get_news"

    def __init__(self, services: ActionServices) -> None:
        self.services = services

    def sources(self) -> list[str]:
        """The bundled sample feed, plus the configured feeds when the user allowed the network."""
        local = [str(self.services.resources / "sample" / "news_feed.xml")]
        settings = self.services.settings
        return local + list(settings.feeds) if settings.network_feeds else local

    def _cache_file(self, url: str) -> Path | None:
        cache = self.services.cache_dir
        return cache / "feeds" / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".xml") if cache else None

    def read_source(self, source: str) -> bytes | None:
        """The bundled feed from disk; a network feed fetched with limits, else its last good cached copy."""
        if not source.startswith(("http://", "https://")):
            return Path(source).read_bytes()
        cached = self._cache_file(source)
        try:
            data = fetch_feed(source)
        except (OSError, ValueError) as exc:  # timeouts, refusals, too big: use the last good copy if any
            log.warning("feed %s not fetched: %s", source, exc)
            return cached.read_bytes() if cached and cached.is_file() else None
        if cached:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(data)
            except OSError as exc:
                log.warning("feed cache not written: %s", exc)
        return data

    def fetch(self) -> list[Item]:
        import feedparser  # imported on first use: it is slow to import and start-up does not need it

        items: list[Item] = []
        for source in self.sources():
            data = self.read_source(source)
            if data is None:
                continue
            parsed = feedparser.parse(data)  # bytes: feedparser itself never touches the network here
            name = parsed.feed.get("title", source)
            items.extend(_item(entry, name) for entry in parsed.entries[:MAX_ENTRIES_PER_FEED])
        return items

    def run(self, request: ActionRequest) -> ActionResult:
        """Headlines on the asked topic first; others, if any, follow under "Other headlines", never mixed in."""
        lang = request.language
        words = words_of(request.text)
        ranked = rank_items(self.fetch(), words)
        asked = sorted(topics_in(words))
        if not ranked:
            return ActionResult(tr(MESSAGES, "none_title", lang), tr(MESSAGES, "none_body", lang), kind="news")
        names = ", ".join(TOPIC_NAMES[lang][topic] for topic in asked)
        if asked or any(match for _, match in ranked):
            on_topic = [item for item, match in ranked if match][:MAX_ITEMS]
            other = [item for item, match in ranked if not match][:MAX_OTHER_ITEMS]
        else:  # a plain "news": the newest, nothing set apart
            on_topic, other = [item for item, _ in ranked][:MAX_ITEMS], []
        if on_topic:
            title = tr(MESSAGES, "title", lang) + (f" · {names}" if names else "")
        else:
            title = tr(MESSAGES, "no_topic", lang, topics=names)
        other_title = tr(MESSAGES, "other", lang)
        lines = [f"• {item.title}" for item in on_topic]
        if other:
            lines += [f"{other_title}:", *(f"• {item.title}" for item in other)]
        shown = [(item, True) for item in on_topic] + [(item, False) for item in other]
        return ActionResult(
            title=title, body="\n".join(lines), kind="news",
            links=tuple(Link(item.title, item.link) for item, _ in shown if item.link),
            fields={"topics": asked, "other_title": other_title,
                    "items": [item.to_json(match) for item, match in shown]},
        )
