"""The `markdown` filter: raw HTML in what people write never leaks as escaped tag text."""

import pytest

from northstar.web.templatetags.markup import RAW_TEXT_TAGS, markdown


def test_an_unclosed_iframe_after_code_leaves_no_stray_closing_tag():
    html = str(markdown("`code` <iframe src=//evil>"))
    assert html == "<p><code>code</code> </p>"
    assert "&lt;" not in html
    assert "iframe" not in html


@pytest.mark.parametrize("tag", sorted(RAW_TEXT_TAGS))
def test_raw_text_elements_go_with_their_content(tag):
    for text in [f"`code` <{tag} src=//evil> after", f"<{tag}>\n\nnext", f"a <{tag}>x</{tag}> b"]:
        html = str(markdown(text))
        assert "&lt;" not in html, text
        assert tag not in html, text


def test_html_written_inside_code_stays_visible_as_code():
    html = str(markdown("Do not paste `<iframe src=x>` here"))
    assert "<code>&lt;iframe src=x&gt;</code>" in html
