"""The static site's page shell, stylesheet and search script: plain strings, no template engine.

Stable hooks (tests and the headless-Chromium test select these; keep them):

\b
  index.html                 ``#search`` (the search input), ``#results`` (the list the search
                             script fills), ``.contract`` (one entry per contract: a table row
                             of ``#contracts``, with ``data-name``)
  contracts/<name>.html      ``#fields`` (the latest version's top-level fields table),
                             ``#types`` (nested records and enums, each ``#type-<full-name>``
                             with dots as dashes), ``#field-<record>-<field>`` (a field's row),
                             ``#timeline``, ``#diff`` (each version against its predecessor,
                             ``#diff-v<N>`` per version; every other pair ``#diff-v<A>-v<B>``,
                             hidden; all ``section.pair`` with ``data-old``/``data-new``; the
                             chooser ``#pair`` with ``#diff-old``, ``#diff-new``, shown by
                             ``diff.js``, which says the pair shown in the live
                             ``#pair-note``); in each pair, ``li.change`` per change with
                             ``data-kind``, ``data-breaks`` (the levels it breaks, space
                             separated, empty when it keeps all three) and ``data-rules``
                             (the dangerous-change rule ids it triggers), its words in
                             ``.levels`` and ``.rules`` (and ``.unit`` when a doc change
                             changes the unit it names), and ``ul.verdicts``, the pair's
                             verdict per level; ``#shared-types`` (links to the shared
                             contracts' pages, each type anchored there as
                             ``#type-<full-name>``: a page's own top-level record too),
                             ``#matrix`` (the compatibility matrix, an inline ``<svg>``
                             in a ``figure`` with ``#matrix-key``), ``#downloads``,
                             ``#rules``, ``#ids``, ``#examples`` (each version's example
                             message, ``#example-v<N>``, in it ``figure.avro-json`` and
                             ``figure.device-json``, each a ``pre > code``)

Everything works without JavaScript; ``search.js`` only adds filtering on the index page, and
``diff.js`` choosing any two versions on a contract page. The
search index is written twice: ``search-index.json`` for tools, and ``search-index.js`` (the
same data as a script) because browsers refuse ``fetch`` of a ``file://`` URL.
"""

from __future__ import annotations

from html import escape

__all__ = ["CSS", "DIFF_JS", "SEARCH_JS", "page"]

CSS = """\
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;
--accent:#0550ae;--ok:#1a7f37;--bad:#cf222e;--code:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;
--line:#30363d;--accent:#58a6ff;--ok:#3fb950;--bad:#f85149;--code:#161b22}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);overflow-wrap:break-word;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{border-bottom:1px solid var(--line)}
nav a{margin-right:1rem}
.skip{position:absolute;left:-100rem}.skip:focus{left:1rem;top:.5rem}
a{color:var(--accent)}
a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--accent);
outline-offset:2px}
select{font:inherit;padding:.2rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;
background:var(--code)}
pre{padding:.5rem;overflow-x:auto;white-space:pre-wrap}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:var(--code)}
.muted{color:var(--muted)}
.ok{color:var(--ok)}
.bad{color:var(--bad)}
#search{width:100%;max-width:30rem;padding:.4rem;font-size:1rem}
.changes>li{margin-bottom:.4rem}
.changes .levels,.changes .rules,.changes .unit{display:block;font-size:.9em}
figure{margin:0}
figcaption{max-width:40rem;font-size:.9em}
#matrix{max-width:100%;height:auto}
#matrix .ok rect{fill:var(--ok)}
#matrix .bad rect{fill:var(--bad)}
#matrix text{fill:var(--fg);font:12px system-ui,sans-serif}
#matrix .mark{fill:#fff;font-size:16px;font-weight:700}
@media (max-width:40rem){body{font-size:15px}th,td{padding:.2rem .3rem}}
"""

SEARCH_JS = """\
// Filters the contracts table and lists matching fields. Reads window.CONTRACTS_SEARCH_INDEX
// (search-index.js). Without JavaScript the page lists every contract.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var results = document.getElementById("results");
  var index = window.CONTRACTS_SEARCH_INDEX || [];
  if (!input || !results) { return; }
  input.hidden = false;
  var label = document.querySelector("label[for=search]");
  if (label) { label.hidden = false; }
  function run() {
    var q = input.value.trim().toLowerCase();
    var rows = document.querySelectorAll(".contract");
    var i;
    for (i = 0; i < rows.length; i++) {
      var entry = index[i];
      var hit = !q || (entry && entry.text.indexOf(q) >= 0);
      rows[i].hidden = !hit;
    }
    while (results.firstChild) { results.removeChild(results.firstChild); }
    if (!q) { return; }
    index.forEach(function (c) {
      c.fields.forEach(function (f) {
        if (f.text.indexOf(q) < 0) { return; }
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = f.url;
        a.textContent = c.name + " \\u203a " + f.path;
        li.appendChild(a);
        if (f.doc) { li.appendChild(document.createTextNode(" \\u2014 " + f.doc)); }
        results.appendChild(li);
      });
    });
  }
  input.addEventListener("input", run);
  run();
})();
"""


DIFF_JS = """\
// Any two versions on a contract page: shows the chosen pair's diff section (each is in the page,
// the non-adjacent ones hidden). Without JavaScript each version's diff against its predecessor
// shows, and the chooser stays hidden.
(function () {
  "use strict";
  var form = document.getElementById("pair");
  var older = document.getElementById("diff-old");
  var newer = document.getElementById("diff-new");
  var note = document.getElementById("pair-note");
  if (!form || !older || !newer) { return; }
  var sections = document.querySelectorAll("#diff section.pair");
  form.hidden = false;
  older.selectedIndex = older.options.length - 2;
  newer.selectedIndex = newer.options.length - 1;
  // Until the reader chooses, the page stays as without JavaScript: each adjacent pair shown.
  // The note is a live region: a screen reader hears which pair now shows.
  function choose() {
    var a = older.value, b = newer.value, i, shown = 0;
    for (i = 0; i < sections.length; i++) {
      var s = sections[i];
      var hit = s.dataset.old === a && s.dataset.new === b;
      s.hidden = !hit;
      if (hit) { shown++; }
    }
    note.textContent = shown
      ? "Showing the changes from v" + a + " to v" + b + ", below."
      : "Choose an older version first, then a newer one.";
  }
  older.addEventListener("change", choose);
  newer.addEventListener("change", choose);
})();
"""


def page(title: str, body: str, *, root: str, scripts: tuple[str, ...] = ()) -> str:
    """A whole HTML page: ``body`` (already escaped HTML) in the shell with landmarks;
    ``root`` is the relative path back to the site's top ("" or "../")."""
    tags = "".join(f'<script src="{root}{s}"></script>\n' for s in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{root}style.css">\n'
        "</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to content</a>\n'
        '<header><nav aria-label="Site"><a href="'
        f'{root}index.html">All contracts</a></nav></header>\n'
        f'<main id="main">\n{body}</main>\n'
        '<footer><p class="muted">Generated by <code>contracts docs</code>.</p></footer>\n'
        f"{tags}</body>\n</html>\n"
    )
