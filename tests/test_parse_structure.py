"""Structure of legal texts (team-written samples shaped like MOFCOM notices)."""

from __future__ import annotations

import datetime as dt

from ingest.parse.structure import parse_structure, signer_issuers
from ingest.parse.text import normalise

NOTICE = """【发布单位】安全与管制局
【发布文号】商务部公告2025年第99号
【发文日期】2025年12月01日
根据有关规定，决定对下列物项实施出口管制：
一、样例甲相关物项
（一）1C999.a．样例材料：
1．样例粉末(参考海关商品编号：2841801000)；
2．样例合金：
a．样例合金甲；
b．样例合金乙。
（二）1C999.b．样例氧化物。
二、样例乙相关物项
（一）1E999 生产1C999项的技术。
说明：
1. 1C999.a.2项所管制的合金包括锭、块等形态。
出口经营者应当依法申请许可。
本公告自2026年1月1日起正式实施。
附件：1.样例物项列表.pdf
2.样例告知书.pdf
商务部 海关总署
2025年12月1日
附件
关注名单
（2025年12月1日）
1. 样例株式会社（Sample Co., Ltd.）
地址：样例市样例区1-2-3
邮编：100-0001
2. 样例研究所（Sample Institute）
地址：样例市样例区4-5-6
"""


def _paths(text: str) -> dict[str, str]:
    norm = normalise(text).text
    return {p.path: norm[p.start : p.end] for p in parse_structure(norm).parts}


def test_header_signature_annex_list_and_annex() -> None:
    text = normalise(NOTICE).text
    s = parse_structure(text)
    assert s.header == {
        "发布单位": "安全与管制局",
        "发布文号": "商务部公告2025年第99号",
        "发文日期": "2025年12月01日",
    }
    assert s.signature is not None
    assert s.signature.issuers == ("商务部", "海关总署")
    assert s.signature.date is not None and s.signature.date.date == dt.date(2025, 12, 1)
    assert text[s.signature.start : s.signature.end] == "商务部 海关总署\n2025年12月1日"
    assert s.annex_list == ("样例物项列表.pdf", "样例告知书.pdf")
    [annex] = s.annexes
    assert annex.title == "关注名单"
    assert text[annex.start : annex.end].startswith("附件\n关注名单")
    assert text[annex.start : annex.end].endswith("地址：样例市样例区4-5-6")


def test_part_paths_levels_and_offsets() -> None:
    parts = _paths(NOTICE)
    assert list(parts) == [
        "一", "一（一）", "一（一）1", "一（一）2", "一（一）2a", "一（一）2b", "一（二）",
        "二", "二（一）", "说明", "说明1",
        "附件1/1", "附件1/2",
    ]  # fmt: skip
    assert parts["一（一）2"] == "2．样例合金：\na．样例合金甲；\nb．样例合金乙。"
    assert parts["一"].endswith("（二）1C999.b．样例氧化物。")
    # closing paragraphs after the last numbered one belong to no part
    assert parts["说明1"] == "1. 1C999.a.2项所管制的合金包括锭、块等形态。"
    assert "本公告" not in parts["二"]
    # an annex entry keeps its address lines
    assert parts["附件1/1"] == "1. 样例株式会社（Sample Co., Ltd.）\n地址：样例市样例区1-2-3\n邮编：100-0001"
    levels = {p.path: p.level for p in parse_structure(normalise(NOTICE).text).parts}
    assert (levels["一"], levels["一（一）"], levels["一（一）1"], levels["一（一）2a"], levels["说明"]) == (
        1,
        2,
        3,
        4,
        0,
    )


LAW = """（2020年1月1日第十三届全国人民代表大会常务委员会第一次会议通过）
中华人民共和国主席令
第一号
《中华人民共和国样例法》已由会议通过，现予公布。
中华人民共和国主席 某某某
2020年1月1日
中华人民共和国样例法
目 录
第一章 总 则
第二章 管理
第一节 一般规定
第一章 总 则
第一条 为了样例，制定本法。
第二条 本法所称样例，是指：
（一）甲；
（二）乙。
第二章 管理
第一节 一般规定
第三条 样例应当登记。
"""


def test_law_chapters_articles_and_contents_skipped() -> None:
    text = normalise(LAW).text
    s = parse_structure(text)
    assert s.signature is not None and s.signature.issuers == ("国家主席",)
    assert s.promulgated is not None and text[s.promulgated[0] :].startswith("中华人民共和国样例法")
    paths = [p.path for p in s.parts]
    assert paths == [
        "第一章",
        "第一条",
        "第二条",
        "第二条（一）",
        "第二条（二）",
        "第二章",
        "第二章第一节",
        "第三条",
    ]
    chapter = next(p for p in s.parts if p.path == "第一章")
    assert text[chapter.start : chapter.end].endswith("（二）乙。")
    assert [p.level for p in s.parts][:3] == [0, 1, 1]


def test_faq_answers_nest_under_their_question() -> None:
    faq = "1. 什么是样例？\n答：样例包括：\n（一）甲；\n（二）乙。\n2. 如何申请？\n答：（1）网上申请。\n（2）提交材料。\n3．A．1 是一个编码示例。"
    assert list(_paths(faq)) == ["1", "1（一）", "1（二）", "2", "2（2）"]


def test_signer_lines() -> None:
    assert signer_issuers("商务部 工业和信息化部 海关总署 国家密码局") == (
        "商务部",
        "工业和信息化部",
        "海关总署",
        "国家密码局",
    )
    assert signer_issuers("商务部海关总署") == ("商务部", "海关总署")  # printed without a space
    assert signer_issuers("商务部和海关总署") == ("商务部", "海关总署")
    assert signer_issuers("部长 王文涛") == ("商务部",)
    assert signer_issuers("总理 李强") == ("国务院",)
    assert signer_issuers("本公告自公布之日起正式实施。") is None
    assert signer_issuers("商务部将组织研判") is None


def test_unsigned_text_has_no_signature_and_bare_date_closing() -> None:
    assert parse_structure("一、甲\n二、乙").signature is None
    s = parse_structure("本公告自公布之日起实施。\n2025年1月2日")
    assert s.signature is not None and s.signature.issuers == () and s.signature.date is not None
