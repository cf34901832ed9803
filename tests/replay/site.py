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
    old_layout: bool = False  # a pre-2023 page: …/<YYYYMM>/<YYYYMMDD><6 digits>.shtml, GBK, div.art-title
    listed: bool = True  # False: reachable only through another article's body
    cites: list[tuple[str, str]] = field(default_factory=list)  # (link text, href) in the body

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
    items += portal_policy_items()
    items += old_layout_items(items)
    return items


OLD_CITED = "/article/b/c/202212/20221230103210.shtml"  # linked (as http://) from an aqygzj notice's body
OLD_LISTED = "/article/zwgk/zcfb/202106/20210618091530.shtml"  # in www's CMS list, after the new pages


def old_layout_items(items: list[Item]) -> list[Item]:
    """Pre-2023 notices on www: 2022 No.31 as an old page cited by a body AND as its new-layout copy
    (one document, both URLs), and 2021 No.25 only as an old page in the CMS list."""
    out = []
    for number, posted, path, listed in (("商务部公告2022年第31号", dt.date(2022, 12, 30), OLD_CITED, False),
                                         ("商务部公告2021年第25号", dt.date(2021, 6, 18), OLD_LISTED, True)):
        topic = "调整出口许可证件管理的有关事项"
        body = [*_body(number, topic, posted.year)[1:3], "特此公告。", "商务部", f"{_chinese_date(posted)}"]
        masthead = ["中华人民共和国商务部", "公 告", f"{posted.year}年 第{number.split('第')[1]}"]
        out.append(Item(WWW, path, f"{number} 关于{topic}的公告", number, posted, [*masthead, _SAMPLE, *body], "商务部",
                        column="政策发布", old_layout=True, listed=listed))
    new_copy = Item(WWW, f"/zcfb/blgg/art/2022/art_{_hex(WWW, 'old', 31)}.html", out[0].title, out[0].number,
                    dt.date(2023, 1, 1), _body(out[0].number, "调整出口许可证件管理的有关事项", 2022), "商务部",
                    column="部令公告")
    citing = next(i for i in items if i.host == AQY and i.number and "〔" in i.number)
    citing.cites.append(("商务部公告2022年第31号", f"http://{WWW}{OLD_CITED}"))
    return [new_copy, *out]


def _chinese_date(day: dt.date) -> str:
    digits = "〇一二三四五六七八九"
    month = ("十" if day.month == 10 else "十" + digits[day.month - 10]) if day.month >= 10 else digits[day.month]
    tens, ones = divmod(day.day, 10)
    dd = (digits[tens] if tens > 1 else "") + ("十" if tens else "") + (digits[ones] if ones else "")
    return "".join(digits[int(c)] for c in str(day.year)) + f"年{month}月{dd}日"


# Portal columns: id → (column name, article path). 13-15 and 17 are paths written by the team (not verified).
PORTAL_COLUMNS = {"9": ("管制清单", "hgfw/lywxcx/gzqd"), "10": ("规章及规范性文件", "zcfg/gnzcfg/gzjgfxwj"),
                  "13": ("法律", "zcfg/gnzcfg/flfg"), "14": ("法规", "zcfg/gnzcfg/xzfg"),
                  "15": ("部门规章", "zcfg/gnzcfg/bmgz"), "17": ("常见问题", "cjwt")}
_SAMPLE = "（回放样例：由 mofcom-kb 团队编写，非官方文本）"
# (title, adopted by, adopted on). The last title carries its adoption note, as some portal titles do: only
# the column says it is a law.
LAWS = (("中华人民共和国出口管制法", "第十三届全国人民代表大会常务委员会第二十二次会议", dt.date(2020, 10, 17)),
        ("中华人民共和国反外国制裁法", "第十三届全国人民代表大会常务委员会第二十九次会议", dt.date(2021, 6, 10)),
        ("中华人民共和国数据安全法", "第十三届全国人民代表大会常务委员会第二十九次会议", dt.date(2021, 6, 10)),
        ("中华人民共和国对外贸易法", "第十届全国人民代表大会常务委员会第八次会议", dt.date(2004, 4, 6)),
        ("中华人民共和国国家安全法", "第十二届全国人民代表大会常务委员会第十五次会议", dt.date(2015, 7, 1)),
        ("中华人民共和国核安全法（2017年9月1日第十二届全国人民代表大会常务委员会第二十九次会议通过 主席令第七十三号公布）",
         "第十二届全国人民代表大会常务委员会第二十九次会议", dt.date(2017, 9, 1)))
REGULATIONS = (("中华人民共和国两用物项出口管制条例", "中华人民共和国国务院令\n第792号"),
               ("中华人民共和国技术进出口管理条例", None), ("中华人民共和国监控化学品管理条例", None))
RULES = ("两用物项和技术进出口许可证管理办法", "不可靠实体清单规定", "出口管制管控名单管理办法")
# The policy catalogue (getColumnListZcfgGn, parentId=11) lists these columns, and one declared nowhere else.
CATALOGUE_11 = ("规章及规范性文件", "法律", "法规", "部门规章", "其他规范性文件")
CATALOGUE_ONLY = ("其他规范性文件", "zcfg/gnzcfg/qtwj")
FAQ_TOPICS = ("稀土相关物项", "许可证申领", "最终用户和最终用途证明", "管制编码的确定", "通用许可",
              "技术出口", "临时管制", "过境转运")


def _portal_item(column_id: str, number: int, posted: dt.date, title: str, body: list[str],
                 doc_number: str | None = None, unit: str = "商务部") -> Item:
    column, sub = PORTAL_COLUMNS[column_id]
    return Item(PORTAL, f"/article/{sub}/{posted:%Y%m}/{number}.html", title, doc_number, posted, body, unit,
                column=column)


def portal_policy_items() -> list[Item]:
    """Laws (13), administrative regulations (14), departmental rules (15) and FAQs (17), newest first."""
    items = []
    for i, (title, body, adopted) in enumerate(LAWS):
        items.append(_portal_item("13", 226 + i, dt.date(2021, 11, 20) - dt.timedelta(days=i), title, [
            f"（{adopted.year}年{adopted.month}月{adopted.day}日{body}通过）", _SAMPLE,
            "第一章 总则", f"第一条 为了维护国家安全和利益，制定{title[:title.find('法') + 1]}。",
            "第二条 本法适用于有关物项和活动的管理。"], unit="全国人民代表大会常务委员会"))
    for i, (title, masthead) in enumerate(REGULATIONS):
        head = [*masthead.split("\n"), "现公布《" + title + "》，自2024年12月1日起施行。"] if masthead else []
        items.append(_portal_item("14", 1057 - i, dt.date(2024, 10, 8) - dt.timedelta(days=400 * i), title, [
            *head, _SAMPLE, "第一章 总则", "第一条 为了加强有关物项出口管制，根据有关法律，制定本条例。",
            "第二条 国家对有关物项的出口实行管制。"], unit="国务院"))
    for i, title in enumerate(RULES):
        items.append(_portal_item("15", 1040 - i, dt.date(2024, 6, 3) - dt.timedelta(days=300 * i), title, [
            _SAMPLE, "第一条 为了规范有关管理工作，根据有关法律、行政法规，制定本办法。",
            "第二条 商务部负责本办法的实施。"]))
    for i in range(2):  # reachable only through the policy catalogue
        posted = dt.date(2023, 3, 15) - dt.timedelta(days=90 * i)
        number = f"商务部公告{posted.year}年第{70 - i}号"
        topic = TOPICS[i + 1]
        items.append(Item(PORTAL, f"/article/{CATALOGUE_ONLY[1]}/{posted:%Y%m}/{800 - i}.html", f"{number} {topic}",
                          number, posted, _body(number, topic, 400 + i), "商务部", column=CATALOGUE_ONLY[0]))
    for i in range(22):
        topic = FAQ_TOPICS[i % len(FAQ_TOPICS)]
        # most titles say they are FAQs; every fourth is the question itself, typed by its column alone
        title = f"出口经营者如何办理{topic}相关手续（问{i + 1}）" if i % 4 == 3 else f"两用物项常见问题解答之{i + 1}（{topic}）"
        items.append(_portal_item("17", 1280 - i, dt.date(2026, 6, 20) - dt.timedelta(days=21 * i), title, [
            _SAMPLE, f"问：{topic}方面，出口经营者应当注意什么？",
            "答：出口经营者应当按照有关规定向商务部提出申请，如实提供有关材料。"]))
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
<div class="art-con art-con-bottonmLine" ergodic="article">{paras}{_cited(item)}{links}</div></body></html>"""


def old_article(item: Item) -> bytes:
    """A pre-2023 page: GB2312-declared bytes, div.art-title with the time, body div.art-con-bottonmLine."""
    paras = "".join(f"<p>{escape(p)}</p>" for p in item.body)
    html = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{escape(item.title)}</title></head><body><div class="position"><a href="/">首页</a> &gt;
<a href="/article/zwgk/">{escape(item.column)}</a></div><div class="art-title"><h2>{escape(item.title)}</h2>
<span class="art-time">发布时间：{item.posted} 17:20</span></div><div class="art-con-bottonmLine">{paras}</div>
</body></html>"""
    return html.encode("gbk")


def _cited(item: Item) -> str:
    return "".join(f'<p>参见<a href="{escape(href)}">{escape(text)}</a>。</p>' for text, href in item.cites)


def portal_article(item: Item) -> str:
    paras = "".join(f"<p>{escape(p)}</p>" for p in item.body)
    links = "".join(f'<p><a href="{escape(path)}">{escape(name)}</a></p>' for name, path in item.attachments)
    return f"""<html><head><meta charset="utf-8"><title>中国出口管制信息网</title><script>
var title = "{item.title}"; var source = "{item.unit}"; var publishTime = "{item.posted} 15:30";
var columnName = "{item.column}";</script></head><body><div class="bd">{paras}{_cited(item)}{links}
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


def catalogue_items(items: list[Item], parent: str) -> list[Item]:
    """What the policy catalogue lists under `parent` (only 11 is replayed): its columns, newest first."""
    return sorted((i for i in items if parent == "11" and i.column in CATALOGUE_11), key=lambda i: i.posted,
                  reverse=True)


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
