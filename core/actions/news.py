"""get_news: headlines from RSS/Atom feeds (feedparser), topic words in the request first."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.actions.base import ActionRequest, ActionResult, ActionServices, Link
from core.i18n import tr

MAX_ITEMS = 8
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
}
_STOP = {"noticias", "news", "de", "la", "el", "las", "los", "the", "of", "about", "sobre", "hay", "que", "what",
         "dame", "give", "me", "show", "today", "hoy", "latest", "ultimas", "headlines", "titulares", "any", "en"}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> set[str]:
    return set(re.findall(r"\w+", _plain(text)))


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
    published = datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    categories = " ".join(tag.get("term", "") for tag in entry.get("tags", []))
    title, summary = entry.get("title", ""), entry.get("summary", "")
    return Item(title, entry.get("link", ""), published, summary, source,
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

    def fetch(self) -> list[Item]:
        import feedparser  # imported on first use: it is slow to import and start-up does not need it

        items: list[Item] = []
        for source in self.sources():
            parsed = feedparser.parse(source)
            name = parsed.feed.get("title", source)
            items.extend(_item(entry, name) for entry in parsed.entries)
        return items

    def run(self, request: ActionRequest) -> ActionResult:
        lang = request.language
        words = words_of(request.text)
        ranked = rank_items(self.fetch(), words)[:MAX_ITEMS]
        asked = sorted(topics_in(words))
        if not ranked:
            return ActionResult(tr(MESSAGES, "none_title", lang), tr(MESSAGES, "none_body", lang), kind="news")
        names = [TOPIC_NAMES[lang][topic] for topic in asked]
        title = tr(MESSAGES, "title", lang) + (f" · {', '.join(names)}" if names else "")
        body = "\n".join(f"• {item.title}" for item, _ in ranked)
        return ActionResult(
            title=title, body=body, kind="news",
            links=tuple(Link(item.title, item.link) for item, _ in ranked if item.link),
            fields={"topics": asked, "items": [item.to_json(match) for item, match in ranked]},
        )
