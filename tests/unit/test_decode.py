import pytest

from transforms.decode import Rejected, decode_article

BODY = "Gaza health officials said 120 people were killed in the past day, the ministry added. " * 3


@pytest.mark.parametrize("data,suffix,reason", [
    (b"", ".txt", "empty"),
    (b"   \n\t  ", ".txt", "empty"),
    (b"\x00\x01\x02binary\x00" * 50, ".txt", "binary"),
    (b"x" * 2000, ".txt", "oversized"),
    (b"<html><body><nav>Home</nav></body></html>", ".html", "not_article"),
])
def test_rejections(data, suffix, reason):
    with pytest.raises(Rejected) as info:
        decode_article(data, suffix, max_bytes=1000)
    assert info.value.reason_code == reason


def test_cp1252_is_decoded_not_rejected():
    text = "\u201cNo progress\u201d \u2013 " + BODY
    decoded = decode_article(text.encode("cp1252"), ".txt")
    assert decoded.encoding == "cp1252" and decoded.text.startswith("\u201cNo progress\u201d \u2013")


def test_html_article_becomes_text_with_metadata():
    page = ("<html><head><title>T</title><meta property='article:published_time' content='2024-05-06T09:00:00Z'>"
            "<script>var toll = 99999;</script></head><body><nav>Menu 12</nav><article><h1>Talks resume</h1>"
            f"<p>{BODY}</p><p>Second paragraph here.</p></article></body></html>")
    decoded = decode_article(page.encode(), ".html")
    assert decoded.content_type == "html"
    assert "99999" not in decoded.text and "Menu" not in decoded.text
    assert decoded.text.splitlines()[0] == "Talks resume"
    assert decoded.html_metadata["published_at"] == "2024-05-06T09:00:00Z"


def test_crlf_normalised_and_utf8_bom():
    decoded = decode_article(b"\xef\xbb\xbf" + BODY.replace(". ", ".\r\n").encode(), ".txt")
    assert "\r" not in decoded.text and not decoded.text.startswith("\ufeff")
