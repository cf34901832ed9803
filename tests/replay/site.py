"""A replay of MOFCOM's three source families, written by the mofcom-kb team.

Pages are generated from templates in MOFCOM's shapes (new CMS article pages with the
【发布单位】【发布文号】【发文日期】 block, the portal's inline-JS article pages, the CMS list
API's JSON with data.html, the portal's getColumnList pageInfo JSON, the annual static
index) filled with team-written notice texts (回放样例, not official texts). Every list
has at least 3 pages; some articles link attachments; a few notices are published under
two hosts with different URLs (the same number: one document).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
from dataclasses import dataclass, field
from html import escape

WWW = "www.mofcom.gov.cn"
AQY = "aqygzj.mofcom.gov.cn"
PORTAL = "exportcontrol.mofcom.gov.cn"
PORTAL_PAGE_SIZE = 5
UNITS = ("安全与管制局", "商务部 海关总署", "商务部")
TOPICS = ("对部分物项实施出口管制", "将有关实体列入出口管制管控名单", "调整两用物项出口许可证件管理",
          "暂停实施部分出口管制措施", "公布两用物项出口管制清单", "加强相关技术出口管理")


@dataclass
class Item:
    host: str
    path: str
    title: str
    number: str | None
    posted: dt.date
    body: list[str]
    unit: str = "安全与管制局"
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (name, path)
    column: str = ""

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}"


def _hex(*parts: object) -> str:
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()


def _body(number: str | None, topic: str, n: int) -> list[str]:
    head = f"【回放样例：由 mofcom-kb 团队编写，非官方文本】{number or '本文件'}"
    return [
        head,
        f"根据《中华人民共和国出口管制法》和《中华人民共和国两用物项出口管制条例》有关规定，为维护国家安全和利益，"
        f"经国务院批准，决定{topic}（第{n}项）。现将有关事项公告如下：",
        "一、出口经营者应当遵守本公告规定，向商务部申请两用物项出口许可。",
        "二、本公告自公布之日起正式实施。",
    ]


def _date(i: int) -> dt.date:
    return dt.date(2026, 11, 20) - dt.timedelta(days=35 * i)


def build_items() -> list[Item]:
    items: list[Item] = []
    # www: 33 announcements, newest first, in the CMS column list; the annual indexes list them by year.
    for i in range(33):
        posted = _date(i)
        n = 40 - i if posted.year == 2026 else 90 - i
        number = f"商务部公告{posted.year}年第{n}号"
        topic = TOPICS[i % len(TOPICS)]
        item = Item(WWW, f"/zcfb/blgg/art/{posted.year}/art_{_hex(WWW, i)}.html", f"{number} 关于{topic}的公告",
                    number, posted, _body(number, topic, i), UNITS[i % 3], column="部令公告")
        if i % 8 == 0:
            item.attachments.append(
                (f"附件{i}.pdf", f"/cms_files/filemanager/1/attach/{posted:%Y%m}/{_hex('pdf', i)}.pdf?fileName=附件{i}.pdf"))
        items.append(item)
    # aqygzj: 32 notices; the first 3 repeat www's notices (same number, different URL).
    for i in range(32):
        if i < 3:
            twin = items[i]
            number, topic, posted = twin.number, TOPICS[i % len(TOPICS)], twin.posted
        else:
            posted = _date(i) - dt.timedelta(days=3)
            number = f"不可靠实体清单工作机制公告〔{posted.year}〕{i}号" if i % 5 == 0 else f"商务部公告{posted.year}年第{200 + i}号"
            topic = TOPICS[(i + 2) % len(TOPICS)]
        item = Item(AQY, f"/flzc/gzjgfxwj/art/{posted.year}/art_{_hex(AQY, i)}.html", f"{number} 关于{topic}的公告",
                    number, posted, _body(number, topic, 100 + i), "安全与管制局", column="规范性文件")
        if i % 7 == 1:
            item.attachments.append(
                (f"管制物项清单{i}.xlsx",
                 f"/api-gateway/jpaas-web-server/front/document/download?fileUrl={_hex('tok', i)}&fileName=清单{i}.xlsx"))
        items.append(item)
    # portal: column 9 (12 items, 3 pages of 5) and column 10 (4 items, 1 page).
    for i in range(16):
        column_id, column = ("9", "管制清单") if i < 12 else ("10", "规章及规范性文件")
        posted = _date(i) - dt.timedelta(days=5)
        number = f"商务部公告{posted.year}年第{300 + i}号"
        topic = TOPICS[(i + 4) % len(TOPICS)]
        sub = "hgfw/lywxcx/gzqd" if column_id == "9" else "zcfg/gnzcfg/gzjgfxwj"
        item = Item(PORTAL, f"/article/{sub}/{posted:%Y%m}/{1100 + i}.html", f"{number} {topic}",
                    number, posted, _body(number, topic, 300 + i), "安全与管制局", column=column)
        if i % 6 == 2:
            item.attachments.append((f"附件{i}.pdf", f"/upload/uploadfile/attach/{posted:%Y%m}/09/{1760000000000 + i}.pdf"))
        items.append(item)
    return items


# -- renderers ----------------------------------------------------------------------------


def cms_article(item: Item) -> str:
    paras = "".join(f"<p>{escape(p)}</p>" for p in item.body)
    links = "".join(f'<p><a href="{escape(path)}">{escape(name)}</a></p>' for name, path in item.attachments)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="{escape(item.title)}"><meta name="PubDate" content="{item.posted} 10:00">
<meta name="ContentSource" content="{escape(item.unit)}"><meta name="ColumnName" content="{escape(item.column)}">
<title>{escape(item.title)}_商务部</title></head><body><div class="art-title"><h1>{escape(item.title)}</h1></div>
<div class="art-con-gonggao"><p>【发布单位】{escape(item.unit)}</p><p>【发布文号】{escape(item.number or '')}</p>
<p>【发文日期】{item.posted - dt.timedelta(days=2):%Y年%m月%d日}</p></div>
<div class="art-con art-con-bottonmLine" ergodic="article">{paras}{links}</div></body></html>"""


def portal_article(item: Item) -> str:
    paras = "".join(f"<p>{escape(p)}</p>" for p in item.body)
    links = "".join(f'<p><a href="{escape(path)}">{escape(name)}</a></p>' for name, path in item.attachments)
    return f"""<html><head><meta charset="utf-8"><title>中国出口管制信息网</title><script>
var title = "{item.title}"; var source = "{item.unit}"; var publishTime = "{item.posted} 15:30";
var columnName = "{item.column}";</script></head><body><div class="bd">{paras}{links}
<div class="u-disclaimer-box">免责声明：本网站转载内容仅供参考。</div></div></body></html>"""


def cms_list_json(items: list[Item], page: int, size: int) -> str:
    chunk = items[(page - 1) * size: page * size]
    lis = "".join(f'<li><a href="{i.url}" title="{escape(i.title)}">{escape(i.title)}</a><span>[{i.posted}]</span></li>'
                  for i in chunk)
    html = f'<div class="list" count="{len(items)}"><ul>{lis}</ul></div>'
    return json.dumps({"success": True, "data": {"html": html}}, ensure_ascii=False)


def annual_index(items: list[Item], year: int) -> str:
    lis = "".join(f'<li><a href="{i.url}" title="{escape(i.title)}">{escape(i.title)}</a><span>{i.posted}</span></li>'
                  for i in items if i.posted.year == year)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{year}年公告_商务部</title></head><body>'
            f'<h2>{year}年 部令公告</h2><ul class="txtList_01">{lis}</ul></body></html>')


def portal_list_json(items: list[Item], page: int) -> str:
    chunk = items[(page - 1) * PORTAL_PAGE_SIZE: page * PORTAL_PAGE_SIZE]
    rows = [{"id": int(i.path.rsplit("/", 1)[1].split(".")[0]), "title": i.title, "url": i.path,
             "publishTimeStr": f"{i.posted} 15:30:00", "source": i.unit,
             # like the real API, some rows carry the article text and some do not
             "content": "".join(f"<p>{escape(p)}</p>" for p in i.body) if i.column == "规章及规范性文件" else "",
             "columnName": i.column}
            for i in chunk]
    pages = -(-len(items) // PORTAL_PAGE_SIZE)
    return json.dumps({"pageInfo": {"total": len(items), "maxPageNum": pages, "pageNum": page, "rows": rows}},
                      ensure_ascii=False)


@functools.cache
def attachment_bytes(name: str) -> bytes:
    """Small real files (the build parses attachments): a one-page CJK PDF or a one-sheet XLSX."""
    line = f"mofcom-kb 回放附件（样例）：{name}"
    if name.endswith(".pdf"):
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        out = io.BytesIO()
        pdf = canvas.Canvas(out, pagesize=A4, invariant=1)  # invariant: same bytes every run
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(72, 760, line)
        pdf.save()
        return out.getvalue()
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "说明"])
    sheet.append([1, line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
