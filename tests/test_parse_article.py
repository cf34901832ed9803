"""Article pages in the three layouts, and every way a page can fail, as typed errors naming it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ingest.parse.article import article_document, parse_article
from ingest.parse.errors import (
    BrokenHtmlError,
    EmptyInputError,
    EncodingError,
    NotFoundPageError,
    ParseError,
    UnknownLayoutError,
    UnsupportedFormatError,
)
from ingest.parse.html_bytes import declared_charset, decode_html

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
URL = "https://www.mofcom.gov.cn/zcfb/art/2025/art_0123456789abcdef0123456789abcdef.html"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_cms_layout_fields() -> None:
    art = parse_article(page("cms_announcement.html"), URL)
    assert art.layout == "cms"
    assert art.title.startswith("商务部 海关总署公告2025年第98号")
    assert art.posted_date == dt.date(2025, 11, 12)
    assert art.column == "管制公告" and art.content_source == "安全与管制局"
    assert art.header == {
        "发布单位": "安全与管制局",
        "发布文号": "商务部公告2025年第98号",
        "发文日期": "2025年11月10日",
    }
    assert art.text.startswith("【发布单位】安全与管制局\n【发布文号】")
    assert "网站导航" not in art.text and "主办单位" not in art.text  # page chrome is not the body
    names = [a.name for a in art.attachments]
    assert names == ["1.样例物项清单.pdf", "2.合规告知书.docx"]
    assert art.attachments[0].url.startswith("https://www.mofcom.gov.cn/cms_files/filemanager/")


def test_portal_layout_fields_and_disclaimer_cut() -> None:
    doc = article_document(page("portal_announcement.html"), URL, source="test")
    assert doc.meta["layout"] == "portal"
    assert doc.doc_number == "商务部公告2025年第97号"
    assert doc.signed_date == dt.date(2025, 10, 9)  # 【发文日期】20251009
    assert doc.posted_date == dt.date(2025, 10, 12)  # the site's date, kept apart
    assert "免责声明" not in doc.text and "相关链接" not in doc.text


def test_the_fullest_body_wins_over_a_nav_block_of_the_same_class() -> None:
    content = page("portal_announcement.html").replace(
        b'<div class="nav">', '<div class="bd"><a href="/">首页</a></div><div class="nav">'.encode()
    )
    doc = article_document(content, URL, source="test")
    assert doc.doc_number == "商务部公告2025年第97号" and "首页" not in doc.text


def test_old_layout_gbk_masthead_and_chinese_numeral_date() -> None:
    doc = article_document(page("old_notice_gbk.html"), URL, source="test")
    assert doc.meta["layout"] == "old"
    assert doc.doc_number == "商务部公告2021年第94号"
    assert doc.signed_date == dt.date(2021, 12, 31)  # 二〇二一年十二月三十一日
    assert doc.issuers == ("商务部", "海关总署")
    assert doc.attachments[0].name == "样例物项和技术进出口许可证管理目录.xls"


def test_order_and_uel_notice() -> None:
    order = article_document(page("cms_order.html"), URL, source="test")
    assert (order.doc_type, order.doc_number, order.issuers) == ("order", "商务部令2025年第95号", ("商务部",))
    assert order.signed_date == dt.date(2025, 10, 15)
    uel = article_document(page("cms_uel_notice.html"), URL, source="test")
    assert (uel.doc_type, uel.doc_number) == ("uel_notice", "不可靠实体清单工作机制公告2025年第96号")
    assert uel.signed_date == dt.date(2025, 4, 9)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (page("not_found.html"), NotFoundPageError),
        (page("js_frame.html"), UnknownLayoutError),
        (page("question_marks.html"), EncodingError),
        (page("wrong_encoding.html"), EncodingError),
        (b"", EmptyInputError),
        (b"  \n\t ", EmptyInputError),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", UnsupportedFormatError),
        ("这不是网页，只是一段文字。".encode(), BrokenHtmlError),
        ("<html><body><p>没有已知版式的网页内容。</p></body></html>".encode(), UnknownLayoutError),
        # truncated inside <head>: the layout is recognisable, its body never arrived
        (page("cms_announcement.html")[:700], BrokenHtmlError),
        # a skeleton: layout present, body empty
        (
            b'<html><head><meta name="ArticleTitle" content="x"></head><body><div ergodic="article"></div></body></html>',
            BrokenHtmlError,
        ),
    ],
)
def test_bad_pages_raise_typed_errors_naming_the_page(content: bytes, error: type[ParseError]) -> None:
    with pytest.raises(error) as caught:
        parse_article(content, URL)
    assert caught.value.source == URL
    assert URL in str(caught.value)


def test_decoding_prefers_valid_utf8_then_declared_then_gb18030() -> None:
    text = "<html><head><meta charset='gb2312'></head><body>两用物项</body></html>"
    assert decode_html(text.encode("gb18030"), "a.html") == text
    assert decode_html(text.encode("utf-8"), "a.html") == text  # declared GB2312 but really UTF-8
    assert (
        decode_html("<p>两用物项</p>".encode("gbk"), "b.html", "text/html; charset=GBK") == "<p>两用物项</p>"
    )
    assert decode_html("\ufeff<p>两用</p>".encode(), "c.html") == "<p>两用</p>"
    # GBK bytes behind a wrong UTF-8 declaration: read as GB18030, not mojibake
    lying = "<html><head><meta charset='utf-8'></head><body>两用物项出口管制</body></html>"
    assert decode_html(lying.encode("gbk"), "d.html") == lying
    assert (
        declared_charset(b"<meta http-equiv='Content-Type' content='text/html; charset=GB2312'>") == "gb18030"
    )
    assert declared_charset(b'<meta charset="no-such-charset">') is None


def test_truncated_body_still_parses_what_arrived() -> None:
    content = page("cms_uel_notice.html")
    cut = content[: content.index("本公告自公布之日起实施".encode())]
    doc = article_document(cut, URL, source="test")
    assert doc.doc_number == "不可靠实体清单工作机制公告2025年第96号"
    assert doc.signed_date is None  # the signature never arrived
