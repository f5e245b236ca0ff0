"""Markdown of the strategy's sections, rendered to HTML that can carry no script."""

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark without raw HTML: what a planner types is text and formatting, never markup.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "a",
    "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "*": set()}  # no title, no lang
_SCHEMES = {"http", "https", "mailto"}
_TEXT = re.compile(r">([^<]*)<")  # a text node: nh3 escapes every "<" inside it


def render_markdown(text: str) -> Markup:
    """Markdown to HTML, then sanitised: unknown tags, attributes and link schemes are dropped."""
    # "&" stays literal: "&lt;b&gt;" shows as typed, like every other field, not as "<b>".
    html = _MARKDOWN.render((text or "").replace("&", "&amp;"))
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(_TEXT.sub(_escape_quotes, clean))  # sanitised by nh3 just above


def _escape_quotes(match: re.Match) -> str:
    """Quotes in text escaped as every other page escapes them (nh3 leaves them bare)."""
    return ">" + match.group(1).replace('"', "&#34;").replace("'", "&#39;") + "<"
