"""`{{ text|markdown }}`: what people write (descriptions, check-in notes, comments) as
Markdown, then through an HTML sanitiser.

Markdown passes raw HTML through untouched, so the sanitiser (nh3) is what makes the result
safe: it keeps a small set of formatting tags, drops every attribute but a link's address
and title, drops `<script>`, `<style>` and the other raw-text elements with their content,
and keeps only http(s) and mailto links, so `javascript:` links, `onerror=` handlers and the
like come out inert.
"""

from __future__ import annotations

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# One line break is one line break: notes are typed like messages, not like documents.
EXTENSIONS = ["nl2br", "sane_lists"]
TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "hr",
}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Elements whose content the HTML parser reads as plain text, up to their closing tag. Left
# unclosed in a note (`<iframe src=//evil>`), they swallow the rest of Markdown's output,
# closing tags included, which the sanitiser would keep as visible, escaped text (a stray
# `</p>`). Dropping them with their content is what a browser shows of them anyway.
RAW_TEXT_TAGS = {
    "script",
    "style",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
    "textarea",
    "title",
    "xmp",
}
# Headings in a note must not outrank the page's own: # and ## become level 3.
HEADING_SHIFT = {"<h1>": "<h3>", "</h1>": "</h3>", "<h2>": "<h3>", "</h2>": "</h3>"}


@register.filter(is_safe=True)
def markdown(text: str | None) -> SafeString:
    if not text:
        return mark_safe("")
    html = markdown_lib.markdown(str(text), extensions=EXTENSIONS, output_format="html")
    for tag, replacement in HEADING_SHIFT.items():
        html = html.replace(tag, replacement)
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags=RAW_TEXT_TAGS,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # sanitised just above
