"""HTML page to article text, one block element per line, plus the page's own metadata."""
from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser

_DROP = "script, style, noscript, nav, header, footer, aside, form, iframe, svg, button, template"
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "blockquote", "pre",
           "td", "th", "dt", "dd", "caption", "title"}
_META = {
    "published_at": ("article:published_time", "og:published_time", "datePublished", "pubdate",
                     "date", "dc.date", "parsely-pub-date", "sailthru.date"),
    "title": ("og:title", "twitter:title"),
    "url": ("og:url",),
    "outlet": ("og:site_name", "application-name"),
}


def _page_metadata(tree: HTMLParser) -> dict:
    found: dict[str, str] = {}
    tags = tree.css("meta")
    for key, names in _META.items():
        for tag in tags:
            attrs = tag.attributes
            name = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "")
            if name in names and attrs.get("content"):
                found[key] = attrs["content"].strip()
                break
    if "url" not in found:
        link = tree.css_first("link[rel=canonical]")
        if link is not None and link.attributes.get("href"):
            found["url"] = link.attributes["href"].strip()
    if "published_at" not in found:
        time_tag = tree.css_first("time[datetime]")
        if time_tag is not None:
            found["published_at"] = (time_tag.attributes.get("datetime") or "").strip()
    return {k: v for k, v in found.items() if v}


def html_to_text(html: str) -> tuple[str, dict]:
    tree = HTMLParser(html)
    meta = _page_metadata(tree)
    title_node = tree.css_first("title")
    page_title = title_node.text(strip=True) if title_node is not None else ""
    for node in tree.css(_DROP):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    lines: list[str] = []
    if root is None:
        return "", meta
    headline = root.css_first("h1")
    if headline is None and page_title:
        lines.append(page_title)
    for node in root.traverse(include_text=False):
        if node.tag in _BLOCKS:
            # A block nested in another block (li > p) is emitted once, by the innermost block.
            if any(child.tag in _BLOCKS for child in node.iter(include_text=False)):
                continue
            text = " ".join(node.text(separator=" ").split())
            if text:
                lines.append(text)
    if not lines:
        text = " ".join(root.text(separator=" ").split())
        lines = [text] if text else []
    meta.setdefault("title", page_title or (lines[0] if lines else ""))
    return "\n\n".join(lines) + "\n", meta
