"""Saved web pages: the readable article text and its metadata (title, outlet, author, url, date).

The extracted text is what excerpts point into, so it is built once, deterministically, from the
article content only: menus, scripts, asides and page chrome are left out, and nothing is added.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from evidence_tui.importers.dates import NO_DATE, PublicationDate, parse_date
from evidence_tui.importers.plaintext import find_text_date


@dataclass(frozen=True)
class HtmlContent:
    """What ``extract_html`` finds in a page; metadata fields are None when the page lacks them."""

    text: str
    title: str | None
    outlet: str | None
    author: str | None
    url: str | None
    published: PublicationDate
    language: str | None


# Never readable article text, wherever they are.
_DROP_SELECTOR = ", ".join((
    "script", "style", "noscript", "template", "iframe", "nav", "aside", "button", "svg", "object",
    "embed", "select", "textarea", "input", "dialog", "head",
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=dialog]",
    '[aria-hidden="true" i]', "[hidden]",
))
# Each of these starts a new paragraph (blank line before and after).
_PARAGRAPH_TAGS = frozenset((
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "main",
    "header", "footer", "figure", "figcaption", "ul", "ol", "dl", "table", "hr", "address",
    "details", "summary", "fieldset", "center", "caption", "body", "html", "form", "menu",
))
# Each of these starts a new line within the paragraph.
_LINE_TAGS = frozenset(("li", "tr", "dt", "dd", "br", "option"))
_CELL_TAGS = frozenset(("td", "th"))

_DATE_META_KEYS = (
    "article:published_time", "og:published_time", "datepublished", "date", "pubdate",
    "publishdate", "publish-date", "publish_date", "dc.date", "dc.date.issued", "dcterms.date",
    "dcterms.issued", "dcterms.created", "sailthru.date", "parsely-pub-date", "article.published",
)
_AUTHOR_META_KEYS = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author", "sailthru.author")
# Not ": ": "Foreign Ministry: Russia's draft..." is a headline, not an outlet prefix.
_TITLE_SEPARATORS = (" | ", " - ", " — ", " – ", " :: ", " · ", " • ")
_DATE_PARAGRAPHS = 10


def _clean(value: Any) -> str | None:
    """Collapse whitespace in a metadata string; None when empty or not a string."""
    if not isinstance(value, str):
        return None
    # split/join is re.sub(r"\s+", " ").strip() exactly (the same white space), ~10x faster.
    return " ".join(value.split()) or None


def _meta_values(tree: LexborHTMLParser) -> dict[str, str]:
    """Map each meta ``property``/``name``/``itemprop`` (lower case) to its first non-empty content."""
    values: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = _clean(attrs.get("content"))
        if content is None:
            continue
        for key_attr in ("property", "name", "itemprop", "http-equiv"):
            key = attrs.get(key_attr)
            if key:
                values.setdefault(key.strip().lower(), content)
    return values


def _json_ld_objects(tree: LexborHTMLParser) -> Iterator[dict]:
    """Yield every JSON-LD object on the page (through lists and ``@graph``); bad JSON is skipped."""
    for node in tree.css("script"):
        kind = (node.attributes.get("type") or "").strip().lower()
        if kind != "application/ld+json":
            continue
        try:
            data = json.loads(node.text(deep=True) or "", strict=False)
        except (ValueError, RecursionError):
            continue  # pages often ship broken JSON-LD; it is only a hint
        queue = deque([data])
        while queue:
            item = queue.popleft()
            if isinstance(item, list):
                queue.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    queue.extend(item["@graph"])


def _ld_types(obj: dict) -> set[str]:
    types = obj.get("@type")
    if isinstance(types, str):
        types = [types]
    return {t.lower() for t in types if isinstance(t, str)} if isinstance(types, list) else set()


def _ld_article(tree: LexborHTMLParser) -> dict:
    """The JSON-LD object describing the article: an *Article/Report/BlogPosting, else one with a date."""
    fallback: dict = {}
    for obj in _json_ld_objects(tree):
        if any("article" in t or t in ("report", "blogposting", "liveblogposting") for t in _ld_types(obj)):
            return obj
        if not fallback and "datePublished" in obj:
            fallback = obj
    return fallback


def _ld_name(value: Any) -> str | None:
    """The name of a JSON-LD person/organisation (or a list of them, joined with commas)."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return _clean(value.get("name"))
    if isinstance(value, list):
        names = [name for name in (_ld_name(item) for item in value[:10]) if name]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def _is_url(value: str) -> bool:
    return bool(re.match(r"(?i)(?:https?:)?//|www\.", value))


def _absolute_url(value: str | None, base: str | None) -> str | None:
    """Return ``value`` as an absolute http(s) URL (joined to ``base`` if relative), else None."""
    value = _clean(value)
    if not value:
        return None
    if base and not re.match(r"(?i)https?://", value):
        value = urljoin(base, value)
    return value if re.match(r"(?i)https?://[^/\s]", value) else None


def strip_outlet_from_title(title: str, outlet: str | None) -> str:
    """Remove " | Outlet" (or " - Outlet", " — Outlet"...) from either end of a page title."""
    if not outlet:
        return title
    lowered, target = title.casefold(), outlet.casefold()
    for sep in _TITLE_SEPARATORS:
        if lowered.endswith(sep.casefold() + target) and len(title) > len(sep) + len(outlet):
            return title[: -(len(sep) + len(outlet))].strip()
        if lowered.startswith(target + sep.casefold()) and len(title) > len(sep) + len(outlet):
            return title[len(outlet) + len(sep):].strip()
    return title


def _inside(node: LexborNode, tag: str) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def _skipped_ids(tree: LexborHTMLParser) -> set[int]:
    """Identify (not remove: removing nested nodes twice is unsafe) the elements to leave out."""
    skip = {node.mem_id for node in tree.css(_DROP_SELECTOR)}
    for node in tree.css("form"):
        # Some sites wrap the whole page in one <form>; keep a form that holds the content.
        if node.css_first("p, article, main") is None:
            skip.add(node.mem_id)
    for node in tree.css("header"):
        # A page header is branding; an article's own header usually holds the headline.
        if node.css_first("h1") is None:
            skip.add(node.mem_id)
    for node in tree.css("footer"):
        if not _inside(node, "article"):
            skip.add(node.mem_id)
    return skip


def _text_length(node: LexborNode) -> int:
    return len(" ".join((node.text(deep=True) or "").split()))


def _content_root(tree: LexborHTMLParser, skip: set[int]) -> tuple[LexborNode | None, bool]:
    """Return the node holding the article (``<article>``, ``<main>`` or body) and whether it is one
    of the first two."""
    main = next((n for n in tree.css("main, [role=main]") if n.mem_id not in skip), None)
    articles = [n for n in tree.css("article") if n.mem_id not in skip]
    if articles:
        # (One article needs no measuring: max() would measure it all the same.)
        article = articles[0] if len(articles) == 1 else max(articles, key=_text_length)
        # A lone short <article> can be a teaser card inside a bigger <main>.
        if main is None or _text_length(article) >= 0.3 * _text_length(main):
            return article, True
    if main is not None:
        return main, True
    return (tree.body or tree.root), False


_PARA, _LINE = object(), object()


def _tokens(root: LexborNode, skip: set[int]) -> Iterator[object]:
    """Walk the tree (iteratively: pages can be nested thousands deep) yielding text and breaks."""
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            if tag in _PARAGRAPH_TAGS:
                yield _PARA
            elif tag in _LINE_TAGS:
                yield _LINE
            elif tag in _CELL_TAGS:
                yield " "
            continue
        if tag == "-text":
            yield node.text_content or ""
            continue
        if tag is None or tag.startswith("-") or node.mem_id in skip:
            continue  # comments, doctype
        if tag == "pre":
            yield _PARA
            yield ("pre", node.text(deep=True) or "")
            yield _PARA
            continue
        if tag in _PARAGRAPH_TAGS:
            yield _PARA
        elif tag in _LINE_TAGS:
            yield _LINE
        stack.append((node, True))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, False) for c in reversed(children))


def _assemble(tokens: Iterator[object]) -> str:
    """Join tokens into lines and paragraphs, collapsing whitespace runs inside lines."""
    paragraphs: list[str] = []
    lines: list[str] = []
    buffer: list[str] = []

    def end_line() -> None:
        line = " ".join("".join(buffer).split())
        buffer.clear()
        if line:
            lines.append(line)

    def end_paragraph() -> None:
        end_line()
        if lines:
            paragraphs.append("\n".join(lines))
            lines.clear()

    for token in tokens:
        if token is _PARA:
            end_paragraph()
        elif token is _LINE:
            end_line()
        elif isinstance(token, tuple):
            # <pre>: kept exactly, apart from the blank lines at its edges.
            end_paragraph()
            text = token[1].strip("\n")
            if text.strip():
                paragraphs.append(text)
        else:
            buffer.append(token)
    end_paragraph()
    return "\n\n".join(paragraphs)


def _first_time_date(root: LexborNode, dayfirst: bool | None) -> PublicationDate | None:
    """The date of the first ``<time datetime>`` in the article, with its visible text as raw."""
    for node in root.css("time[datetime]"):
        value = node.attributes.get("datetime") or ""
        parsed = parse_date(value, dayfirst)
        if parsed is None:
            continue
        visible = _clean(node.text(deep=True))
        if visible:
            shown = parse_date(visible, dayfirst)
            if shown is not None and shown.iso == parsed.iso:
                # Keep what the reader saw ("15 June 2024, 03:15") rather than the machine form.
                return PublicationDate(parsed.iso, shown.raw, parsed.precision)
        return parsed
    return None


def _title_of(meta: dict[str, str], article: dict, root: LexborNode, is_article: bool,
              tree: LexborHTMLParser, outlet: str | None) -> str | None:
    """og:title, twitter:title, JSON-LD headline, the article's h1, <title>, any h1: the first found."""
    candidates = [meta.get("og:title"), meta.get("twitter:title"), _clean(article.get("headline"))]
    if is_article:
        h1 = root.css_first("h1")
        candidates.append(_clean(h1.text(deep=True)) if h1 else None)
    title_node = tree.css_first("title")
    candidates.append(_clean(title_node.text(deep=True)) if title_node else None)
    h1 = tree.body.css_first("h1") if tree.body is not None else None
    candidates.append(_clean(h1.text(deep=True)) if h1 else None)
    for candidate in candidates:
        if candidate:
            return strip_outlet_from_title(candidate, outlet) or candidate
    return None


def _author_of(meta: dict[str, str], article: dict, tree: LexborHTMLParser) -> str | None:
    """meta author tags, JSON-LD author, then a rel=author link or .byline element."""
    for key in _AUTHOR_META_KEYS:
        value = meta.get(key)
        if value and not _is_url(value):  # article:author is often a profile URL
            return value
    name = _ld_name(article.get("author"))
    if name:
        return name
    for node in tree.css('[rel~="author"], .byline, .author, [itemprop=author]'):
        text = _clean(node.text(deep=True))
        if text and len(text) <= 120:
            return re.sub(r"(?i)^(?:by\s+|author:\s*)", "", text) or text
    return None


def _date_of(meta: dict[str, str], article: dict, tree: LexborHTMLParser, root: LexborNode,
             is_article: bool, text: str, dayfirst: bool | None) -> PublicationDate:
    """Metadata dates first (they are machine-written), then <time>, then the visible text."""
    raw_values = [meta.get(key) for key in _DATE_META_KEYS]
    for node in tree.css("[itemprop=datePublished]"):
        raw_values.append(node.attributes.get("content") or node.attributes.get("datetime") or node.text(deep=True))
    published = article.get("datePublished")
    raw_values.append(published if isinstance(published, str) else None)
    for raw in raw_values:
        if raw and raw.strip():
            parsed = parse_date(raw, dayfirst)
            if parsed is not None:
                return parsed
    if is_article:
        parsed = _first_time_date(root, dayfirst)
        if parsed is not None:
            return parsed
    # Extracted lines are whole paragraphs, so "near the top" is fewer lines than in a text file.
    return find_text_date(text, dayfirst, top_lines=_DATE_PARAGRAPHS)


def extract_html(source: str, dayfirst: bool | None = None) -> HtmlContent:
    """Extract the readable text and the metadata of an HTML page (never raises on broken markup)."""
    tree = LexborHTMLParser(source)
    root_element = tree.root
    language = _clean(root_element.attributes.get("lang")) if root_element is not None else None
    meta = _meta_values(tree)
    language = language or meta.get("content-language")
    if dayfirst is None and language and language.lower() == "en-us":
        dayfirst = False  # a page that says it is US English writes 07/12/2023 month first
    article = _ld_article(tree)

    canonical = next((n.attributes.get("href") for n in tree.css("link[rel]")
                      if "canonical" in (n.attributes.get("rel") or "").lower().split()), None)
    og_url = _absolute_url(meta.get("og:url"), None)
    url = _absolute_url(canonical, og_url) or og_url

    outlet = (meta.get("og:site_name") or meta.get("application-name")
              or _ld_name(article.get("publisher")))

    skip = _skipped_ids(tree)
    root, is_article = _content_root(tree, skip)
    text = _assemble(_tokens(root, skip)) if root is not None else ""

    return HtmlContent(
        text=text,
        title=_title_of(meta, article, root, is_article, tree, outlet) if root is not None else None,
        outlet=outlet,
        author=_author_of(meta, article, tree),
        url=url,
        published=_date_of(meta, article, tree, root, is_article, text, dayfirst) if root is not None else NO_DATE,
        language=language,
    )

