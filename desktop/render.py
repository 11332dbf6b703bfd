"""Action results as rich text for QLabel (links open in the browser; `ask:` links run a phrase).

Every string from data (feeds, the business file, the profile, a bundle, an error) is escaped here; links are
written only for http(s) and mailto, and `ask:` only by the help list (the panel enforces the same on click).
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote, urlsplit

from core.actions import ActionResult

SAFE_SCHEMES = ("http", "https", "mailto")


def link_is_safe(href: str) -> bool:
    return urlsplit(href.strip()).scheme.lower() in SAFE_SCHEMES

def _news(fields: dict[str, Any]) -> str:
    rows = []
    for item in fields.get("items", []):
        date = (item.get("published") or "")[:10]
        title = escape(item["title"])
        href = str(item.get("link") or "")
        link = f'<a href="{escape(href)}">{title}</a>' if href and link_is_safe(href) else title
        rows.append(f"<li>{link} <span style='color:gray'>{escape(date)} · {escape(item['source'])}</span></li>")
    return "<ul>" + "".join(rows) + "</ul>"


def _business(fields: dict[str, Any], open_text: str, closed_text: str) -> str:
    badge_color, badge = ("#1b7f3b", open_text) if fields.get("open_now") else ("#a12020", closed_text)
    week = "".join(f"<tr><td>{escape(day)}</td><td>{escape(hours)}</td></tr>" for day, hours in fields["week"].items())
    website = str(fields.get("website", ""))
    site = f"<a href='{escape(website)}'>{escape(website)}</a>" if link_is_safe(website) else escape(website)
    email = escape(str(fields.get("email", "")))
    mailto = escape(quote(str(fields.get("email", "")), safe="@.+"))
    return (
        f"<p style='font-size:13pt'><b>{escape(str(fields.get('answer', '')))}</b></p>"
        f"<p><span style='background:{badge_color};color:white;padding:2px 6px'>&nbsp;{escape(badge)}&nbsp;</span>"
        f" {escape(fields.get('today', ''))}</p>"
        f"<p>{escape(fields.get('address', ''))}<br>{escape(fields.get('directions', ''))}</p>"
        f"<p>☎ {escape(fields.get('phone', ''))} · ✉ <a href='mailto:{mailto}'>"
        f"{email}</a> · {site}</p>"
        f"<table>{week}</table>"
        f"<p>{escape(', '.join(fields.get('services', [])))}</p>"
    )


def _profile(fields: dict[str, Any]) -> str:
    labels, values = fields["labels"], fields["profile"]
    rows = "".join(
        f"<tr><td><b>{escape(labels[k])}</b></td><td>{escape(v or '—')}</td></tr>" for k, v in values.items()
    )
    return f"<table>{rows}</table>"


def _help(fields: dict[str, Any]) -> str:
    parts = []
    for entry in fields.get("intents", []):
        examples = " · ".join(f'<a href="ask:{quote(e)}">{escape(e)}</a>' for e in entry["examples"])
        parts.append(f"<p><b>{escape(entry['name'])}</b>: {escape(entry['description'])}<br>{examples}</p>")
    return "".join(parts)


def result_html(result: ActionResult, open_text: str = "Open now", closed_text: str = "Closed now") -> str:
    fields = dict(result.fields)
    if result.error:
        return f"<p style='color:#a12020'>{escape(result.body)}</p>"
    if result.kind == "news":
        return _news(fields)
    if result.kind == "business":
        return _business(fields, open_text, closed_text)
    if result.kind == "profile":
        return _profile(fields)
    if result.kind == "help":
        return _help(fields)
    return "<p>" + escape(result.body).replace("\n", "<br>") + "</p>"
