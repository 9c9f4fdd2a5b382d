"""The deployment files in deploy/: the copies shown in docs/deploy.md are the same, and
the systemd units pass `systemd-analyze verify` (where systemd is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
DOC = ROOT / "docs" / "deploy.md"
UNITS = ("goodhelp.service", "goodhelp-backup.service", "goodhelp-backup.timer",
         "goodhelp-ingress.service", "goodhelp-worker@.service")


def code_blocks(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^```[a-z]*\n(.*?)^```$", text, re.S | re.M)]


def test_every_deploy_file_is_shown_in_the_doc_as_it_is() -> None:
    blocks = code_blocks(DOC.read_text(encoding="utf-8"))
    files = sorted(DEPLOY.iterdir())
    assert {f.name for f in files} >= {*UNITS, "nginx-goodhelp.conf", "Caddyfile"}
    for file in files:
        assert file.read_text(encoding="utf-8") in blocks, f"{file.name} differs in {DOC.name}"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_units_verify(tmp_path: Path) -> None:
    # The units name /opt/goodhelp; here the program is the one this test runs beside.
    goodhelp = Path(sys.executable).parent / "goodhelp"
    names = []
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        name = name.replace("@.", "@1.")  # a template is verified as one of its instances
        (tmp_path / name).write_text(
            text.replace("/opt/goodhelp/.venv/bin/goodhelp", str(goodhelp)), encoding="utf-8")
        names.append(name)
    result = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / n) for n in names)],
                            capture_output=True, text=True, timeout=60)
    # Unknown keys are only warnings (exit 0): any output at all is a failure here.
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
