"""The docs site marks deprecated versions (timeline) and fields (fields table) with since,
sunset and reason from contract.toml."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from devicecontracts.catalog import load_catalog
from devicecontracts.docs.site import build_site

from ..support.catalogs import BUNDLED


def page_text(out: Path, contract: str) -> str:
    html = (out / "contracts" / f"{contract}.html").read_text(encoding="utf-8")
    return html


def test_deprecated_versions_and_fields_are_marked(tmp_path: Path) -> None:
    root = tmp_path / "schemas"
    shutil.copytree(BUNDLED, root)
    contract = root / "heartbeat" / "contract.toml"
    contract.write_text(
        contract.read_text(encoding="utf-8")
        + '\n[deprecated.fields."header.firmware_version"]\nsince = 2\nsunset = 2028-03-31\n'
        'reason = "read the firmware from the device registry"\n'
        '\n[deprecated.fields."state"]\nsince = 3\nsunset = 2028-06-30\nreason = "use status"\n',
        encoding="utf-8",
    )
    out = tmp_path / "site"
    build_site(load_catalog(root), out)
    html = page_text(out, "heartbeat")
    timeline = html[html.index('<ol id="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    (v1,) = re.findall(r"<li><a href=\"#diff-v1\">.*?</li>", timeline)
    assert (
        "deprecated since 2026-09-01, sunset 2027-09-30: firmware &lt; 2.0 is end of life; "
        "write v2 or later" in v1
    )
    assert "deprecated" not in re.findall(r"<li><a href=\"#diff-v2\">.*?</li>", timeline)[0]
    rows = dict(re.findall(r"<tr id=\"([^\"]*)\">(.*?)</tr>", html))
    state = next(row for ident, row in rows.items() if ident.endswith("state"))
    assert "(deprecated since v3, sunset 2028-06-30: use status)" in state
    # header's type is a shared contract (its table is on its own page): its row says it
    header = next(row for ident, row in rows.items() if ident.endswith("header"))
    assert (
        "(firmware_version: deprecated since v2, sunset 2028-03-31: read the firmware from the "
        "device registry)" in header
    )
    assert sum("deprecated since" in row for row in rows.values()) == 2


def test_the_bundled_site_marks_heartbeat_v1(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(load_catalog(BUNDLED), out)
    assert "sunset 2027-09-30" in page_text(out, "heartbeat")
    assert "sunset" not in page_text(out, "telemetry")
