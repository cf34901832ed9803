"""Every page of a knowledge base holding XSS payloads in every field (tests/hostile_kb.py), loaded in
Chromium: no dialog opens, no payload runs (window.__kbXss stays unset), no console error comes from a
payload (a Content-Security-Policy refusal means markup got through), no script error, and the DOM
holds no element or attribute a payload would create — the payloads are on the pages, as text."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hostile_kb import PAYLOADS
from test_publish_hostile import kb_pages

pytestmark = [pytest.mark.browser]

# What a payload would leave in the DOM had it been parsed as markup (our pages have none of these).
DOM_PROBLEMS = """() => {
  const bad = [];
  const scheme = /^(javascript|data|vbscript):/i;
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push(`<${tag} ${a.name}=${a.value.slice(0, 40)}>`);
      // a link is hostile when it runs script or leads to the payloads' host (a same-site link carrying a
      // payload in its query string, e.g. /-/search.json?q=https://evil.example/, is only text)
      let host = '';
      try { host = new URL(a.value, location.href).hostname; } catch (e) { host = ''; }
      if (['href', 'src', 'action', 'data', 'formaction', 'xlink:href'].includes(a.name)
          && (scheme.test(a.value.replace(/[\\x00-\\x20]/g, '')) || host.includes('evil.example')))
        bad.push(`<${tag} ${a.name}=${a.value.slice(0, 40)}>`);
    }
    if (['iframe', 'object', 'embed', 'base', 'frame'].includes(tag)) bad.push(`<${tag}>`);
    if (tag === 'meta' && el.httpEquiv) bad.push(`<meta http-equiv=${el.httpEquiv}>`);
    if (tag === 'img' && el.getAttribute('src') === 'x') bad.push('<img src=x>');
    if (tag === 'script' && !el.src && el.type !== 'application/json' && /xss|alert\\(/i.test(el.textContent))
      bad.push(`inline <script> ${el.textContent.slice(0, 40)}`);
  }
  return bad;
}"""
PAYLOAD_HINTS = ("xss", "alert", "javascript:", "content security policy", "msgbox", "__kbxss")


def html_pages(db: Path) -> list[str]:
    return [p for p in kb_pages(db) if not p.endswith((".json", ".atom"))]


def test_no_payload_executes_in_chromium_on_any_page(browser: Any, served_hostile_kb: str, hostile_kb: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    dialogs: list[str] = []
    errors: list[str] = []
    current = [""]
    page.on("dialog", lambda d: (dialogs.append(f"{current[0]}: {d.type} {d.message[:60]}"), d.dismiss()))
    page.on("pageerror", lambda exc: errors.append(f"{current[0]}: script error {str(exc)[:120]}"))
    page.on("console", lambda msg: errors.append(f"{current[0]}: console {msg.text[:160]}")
            if msg.type == "error" and any(h in msg.text.lower() for h in PAYLOAD_HINTS) else None)
    problems: list[str] = []
    shown = 0
    pages = html_pages(hostile_kb)
    try:
        for path in pages:
            current[0] = path
            response = page.goto(served_hostile_kb + path, wait_until="load")
            assert response is not None and response.status < 500, f"{path}: HTTP {response and response.status}"
            page.wait_for_timeout(50)  # autofocus/ontoggle handlers fire right after load
            if page.evaluate("() => window.__kbXss !== undefined"):
                problems.append(f"{path}: window.__kbXss was set")
            problems += [f"{path}: {p}" for p in page.evaluate(DOM_PROBLEMS)]
            text = page.evaluate("() => document.body ? document.body.innerText : ''")
            shown += sum(1 for payload in PAYLOADS if payload.strip() in text)
    finally:
        context.close()
    executed = sorted({d.split(" ", 2)[2].split("'")[0] for d in dialogs if " " in d})
    assert dialogs == [], f"{len(dialogs)} dialogs, {len(executed)} payloads executed {executed}:\n" + "\n".join(
        dialogs[:20])
    assert errors == [], "\n".join(errors[:20])
    assert problems == [], "\n".join(problems[:40])
    assert len(pages) >= 50
    assert shown >= 100, f"only {shown} payloads shown as text: the test would not see them execute"


def test_the_hostile_kb_really_holds_the_payloads(hostile_kb: Path) -> None:
    conn = sqlite3.connect(hostile_kb)
    try:
        titles = [r[0] for r in conn.execute("select title from documents where title is not null")]
    finally:
        conn.close()
    assert sum(1 for t in titles if any(p in t for p in PAYLOADS)) >= 20
