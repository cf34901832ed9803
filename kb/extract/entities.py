"""Listed entities of control-list, watch-list and unreliable-entity-list notices.

The annex (or body) prints a list name on its own line, then numbered entries:
  1. 艾维奥克斯公司（Aveox, Inc.）
  地 址：2265A Ward Ave., Simi Valley, CA, USA
  邮 编：93065
  常用名称：AVEOX
  -Branch name                      (a branch of the entry above)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.extract.decisions import find_parties
from kb.extract.patterns import compiled, patterns
from kb.facts import Entity, Span

_CJK = re.compile(r"[\u3400-\u9fff]")
_NAME = re.compile(r"^(?P<zh>.+?)[（(](?P<en>[^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]\s*$")


@dataclass
class _Entry:
    ordinal: int
    name_zh: str
    name_en: str | None
    start: int
    end: int
    aliases: list[str] = field(default_factory=list)
    address: str | None = None
    postcode: str | None = None
    branches: list[str] = field(default_factory=list)


def _list_name(line: str) -> str | None:
    """The list a line opens: its name alone (an annex heading) or a body sentence ending in it
    (工作机制决定将以下实体列入不可靠实体清单：)."""
    names: dict[str, str] = patterns()["entity"]["list_names"]
    stripped = line.strip()
    for canonical, printed in names.items():
        if stripped == printed or (stripped.endswith((f"{printed}：", f"{printed}:")) and "以下" in stripped):
            return canonical
    return None


def _annex_list_name(line: str, following: str) -> str | None:
    """The list an annex line names when its entries follow at once (附件：出口管制管控名单（…） then 1. …); the
    same line in the body, before the signature, opens nothing."""
    stripped = line.strip()
    if compiled("entity", "entry").match(following) is None:
        return None
    names: dict[str, str] = patterns()["entity"]["list_names"]
    return next((canonical for canonical, printed in names.items() if printed in stripped), None)


def _inline_fields(name: str) -> tuple[str, dict[str, str]]:
    """An entry printed with its fields on its own line (1.甲公司（Alpha S.p.A.） 地址：… 邮编：…): the name, and
    each field's value."""
    fields: dict[str, str] = {}
    marks = list(compiled("entity", "inline_field").finditer(name))
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(name)
        fields["address" if m.group("address") else "postcode"] = name[m.end() : end].strip().rstrip("；;。，,")
    return (name[: marks[0].start()].rstrip() if marks else name), fields


def _action(text: str) -> str:
    for verb, action in patterns()["entity"]["actions"]:
        if verb in text:
            return str(action)
    return "add"


def _country(address: str | None, title: str) -> str | None:
    countries: dict[str, str] = patterns()["entity"]["countries"]
    if address:
        tail = address.rsplit(",", 1)[-1].strip()
        if tail in countries:
            return countries[tail]
        for zh in dict.fromkeys(countries.values()):
            if address.startswith(zh):
                return zh
    return _title_country(title)


def _entries(text: str, start: int) -> list[_Entry]:
    entries: list[_Entry] = []
    pos = start
    for line in text[start:].splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        if not line.strip():
            continue
        if (m := compiled("entity", "entry").match(line)) is not None:
            name, fields = _inline_fields(m.group(2))
            name = name.rstrip("；;。，,")
            named = _NAME.match(name)
            zh, en = (named.group("zh").strip(), named.group("en").strip()) if named else (name, None)
            if en is None and not _CJK.search(zh):
                en = zh  # printed only in English (Hanwha Shipping LLC): the printed name is the English name
            entries.append(_Entry(int(m.group(1)), zh, en, line_start + m.start(2), line_start + m.start(2) + len(name),
                                  address=fields.get("address"), postcode=fields.get("postcode")))
            continue
        if not entries:
            continue
        entry = entries[-1]
        if (m := compiled("entity", "field_address").match(line)) is not None:
            entry.address = m.group(1)
        elif (m := compiled("entity", "field_postcode").match(line)) is not None:
            entry.postcode = m.group(1)
        elif (m := compiled("entity", "field_aliases").match(line)) is not None:
            entry.aliases.extend(a.strip() for a in re.split(r"[,，;；、]\s*", m.group(1)) if a.strip())
        elif (m := compiled("entity", "field_branch").match(line)) is not None:
            entry.branches.append(m.group(1))
        else:
            break  # the list is over (本公告自公布之日起实施。)
    return entries


def _notice_list(text: str, title: str) -> str | None:
    """The list a notice is about: the first list name in its title, else in its text."""
    names: dict[str, str] = patterns()["entity"]["list_names"]
    for source in (title, text):
        hits = [(source.find(printed), canonical) for canonical, printed in names.items() if printed in source]
        if hits:
            return min(hits)[1]
    return None


def _title_country(title: str) -> str | None:
    m = compiled("entity", "title_country").search(title)
    return m.group(2) if m else None


def find_entities(text: str, title: str) -> list[Entity]:
    """Entities of every list printed in `text`: annex entries (a list name alone on a line, then entries) and
    parties named inline in a decision sentence (kb.extract.decisions)."""
    found = _annex_entities(text, title)
    listed = {(e.action, e.name_zh) for e in found}
    default_list = _notice_list(text, title)
    for p in find_parties(text, title):
        list_name = p.list_name or default_list
        if list_name is None or (p.action, p.name_zh) in listed:
            continue
        found.append(
            Entity(
                list_name=list_name,
                action=p.action,
                name_zh=p.name_zh,
                span=Span(p.start, p.end, text[p.start : p.end]),
                name_en=p.name_en,
                country=p.country or _title_country(title),
            )
        )
    return found


def _annex_entities(text: str, title: str) -> list[Entity]:
    """Entities of every list printed as a list: a list name alone on a line, then numbered entries."""
    found: list[Entity] = []
    action = _action(title or text[:400])
    pos = 0
    lines = text.splitlines(keepends=True)
    for k, line in enumerate(lines):
        list_name = _list_name(line)
        if list_name is None and compiled("entity", "annex_heading").match(line.strip()):
            list_name = _annex_list_name(line, next((n for n in lines[k + 1 :] if n.strip()), ""))
        pos += len(line)
        if list_name is None:
            continue
        for e in _entries(text, pos):
            found.append(
                Entity(
                    list_name=list_name,
                    action=action,
                    name_zh=e.name_zh,
                    span=Span(e.start, e.end, text[e.start : e.end]),
                    name_en=e.name_en,
                    aliases=tuple(dict.fromkeys(a for a in e.aliases if a)),
                    address=e.address,
                    postcode=e.postcode,
                    country=_country(e.address, title),
                    branches=tuple(e.branches),
                    ordinal=e.ordinal,
                )
            )
    return found
