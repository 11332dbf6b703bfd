"""Action results as rich text for QLabel (links open in the browser; `ask:` links run a phrase).

Every string from data (feeds, the business file, the profile, a bundle, an error) is escaped here; links are
written only for http(s) and mailto, and `ask:` only by the help list (the panel enforces the same on click).
"""

from __future__ import annotations

from collections.abc import Collection
from html import escape
from typing import Any
from urllib.parse import quote, urlsplit

from core.actions import ActionResult
from desktop.style import BUTTON_WORDS, CLOSED_COLOUR, ERROR_COLOUR, OPEN_COLOUR
from desktop.style import MUTED as MUTED_COLOUR

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
# The window's own words (translated by the panel: desktop.style.button_words); the defaults are the English ones.
WORDS = dict(BUTTON_WORDS)
MUTED = f"color:{MUTED_COLOUR}"  # readable on light and dark palettes alike (rich text has no palette())


def link_is_safe(href: str) -> bool:
    return urlsplit(href.strip()).scheme.lower() in SAFE_SCHEMES


def _a(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _news_rows(items: list[dict[str, Any]]) -> str:
    rows = []
    for item in items:
        date = (item.get("published") or "")[:10]
        href = str(item.get("link") or "")
        link = _a(href, item["title"]) if href and link_is_safe(href) else escape(item["title"])
        rows.append(f"<li>{link} <span style='{MUTED}'>{escape(date)} · {escape(item['source'])}</span></li>")
    return "<ul>" + "".join(rows) + "</ul>"


def _news(fields: dict[str, Any]) -> str:
    items = list(fields.get("items", []))
    on_topic = [item for item in items if item.get("topic_match", True)]
    other = [item for item in items if not item.get("topic_match", True)]
    html = _news_rows(on_topic) if on_topic else ""
    if other and on_topic:
        html += f"<p style='{MUTED}'><b>{escape(str(fields.get('other_title', '')))}</b></p>" + _news_rows(other)
    elif other:
        html += _news_rows(other)
    return html


def contact_actions(field: str, value: str, words: dict[str, str]) -> list[tuple[str, str]]:
    """(label, href) buttons for one contact value: copy, and call / write / map / open where they apply."""
    if not value:
        return []
    buttons = [(words["copy"], "copy:" + quote(value, safe=""))]
    if field == "phone":
        buttons.append((words["call"], "tel:" + "".join(c for c in value if c.isdigit() or c == "+")))
    elif field == "email":
        buttons.append((words["mail"], "mailto:" + quote(value, safe="@.+")))
    elif field == "address":
        buttons.append((words["map"], "https://www.openstreetmap.org/search?query=" + quote(value, safe="")))
    elif field == "website" and link_is_safe(value):
        buttons.append((words["visit"], value))
    return buttons


def _buttons(buttons: list[tuple[str, str]]) -> str:
    return " &nbsp; ".join(f"<a href=\"{escape(href)}\">[{escape(label)}]</a>" for label, href in buttons)


def _business(fields: dict[str, Any], words: dict[str, str]) -> str:
    answer = f"<p style='font-size:13pt'><b>{escape(str(fields.get('answer', '')))}</b></p>"
    asked = str(fields.get("asked", ""))
    if asked in ("phone", "email", "address", "website"):  # one contact asked: that value alone, with buttons
        value = str(fields.get(asked, ""))
        extra = f"<br>{escape(fields.get('directions', ''))}" if asked == "address" else ""
        extra = f"<p>{extra[4:]}</p>" if extra else ""  # the answer already holds the value
        return answer + f"{extra}<p>{_buttons(contact_actions(asked, value, words))}</p>"
    badge_color, badge = (OPEN_COLOUR, words["open"]) if fields.get("open_now") else (CLOSED_COLOUR, words["closed"])
    week = "".join(f"<tr><td>{escape(day)}&nbsp;&nbsp;</td><td>{escape(hours)}</td></tr>"
                   for day, hours in fields["week"].items())
    html = answer + (f"<p><span style='background:{badge_color};color:white'>&nbsp;{escape(badge)}&nbsp;</span>"
                     f" &nbsp;{escape(words['today'])}: {escape(fields.get('today', ''))}</p>")
    if asked == "hours":
        return html + f"<table>{week}</table>"
    website = str(fields.get("website", ""))
    site = _a(website, website) if link_is_safe(website) else escape(website)
    email = str(fields.get("email", ""))
    return html + (
        f"<p>{escape(fields.get('address', ''))}<br>{escape(fields.get('directions', ''))}</p>"
        f"<p>☎ {escape(fields.get('phone', ''))} · ✉ {_a('mailto:' + quote(email, safe='@.+'), email)} · {site}</p>"
        f"<table>{week}</table>"
        f"<p>{escape(', '.join(fields.get('services', [])))}</p>"
    )


def _profile(fields: dict[str, Any], words: dict[str, str]) -> str:
    labels, values = fields["labels"], fields["profile"]
    asked = str(fields.get("asked", ""))
    if asked and values.get(asked):
        return f"<p>{_buttons(contact_actions(asked, values[asked], words))}</p>"
    rows = "".join(
        f"<tr><td><b>{escape(labels[k])}</b>&nbsp;&nbsp;</td><td>{escape(v or '—')}</td></tr>"
        for k, v in values.items()
    )
    return f"<table>{rows}</table>"


def _help(fields: dict[str, Any], known: Collection[str] | None) -> str:
    """The intents with examples; with `known` (the loaded bundle's intents) only those it can route to."""
    parts = [f"<p>{escape(fields['intro'])}</p>"] if fields.get("intro") else []
    for entry in fields.get("intents", []):
        if known is not None and entry.get("intent") not in known:
            continue
        examples = " · ".join(f'<a href="ask:{quote(e)}">{escape(e)}</a>' for e in entry["examples"])
        parts.append(f"<p><b>{escape(entry['name'])}</b>: {escape(entry['description'])}<br>{examples}</p>")
    return "".join(parts)


def result_html(result: ActionResult, words: dict[str, str] | None = None,
                known: Collection[str] | None = None) -> str:
    """`known`: the intents of the loaded bundle (a help list offers no other); None: all of the file's."""
    fields, words = dict(result.fields), {**WORDS, **(words or {})}
    if result.error:
        return f"<p style='color:{ERROR_COLOUR}'>{escape(result.body)}</p>"
    if result.kind == "news":
        return _news(fields)
    if result.kind == "business":
        return _business(fields, words)
    if result.kind == "profile":
        return _profile(fields, words)
    if result.kind == "help":
        return _help(fields, known)
    if result.kind == "chat":
        return ""
    if result.kind == "answer":  # an intent answered from intents.yaml: its text, then its link
        link = str(fields.get("link", ""))
        more = f"<p>{_a(link, link)}</p>" if link and link_is_safe(link) else ""
        return "<p>" + escape(result.body).replace("\n", "<br>") + "</p>" + more
    return "<p>" + escape(result.body).replace("\n", "<br>") + "</p>"
