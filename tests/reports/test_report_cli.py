"""`goodhelp report` over people who talked to the real bot: the page and the CSV hold
figures, and nothing that could name anyone."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from tests.reports.conftest import CANARIES, CANARY_CODE, CANARY_ID, CANARY_NAME, CANARY_TEXT


@pytest.fixture(scope="session")
def written(canary_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("report")
    page, csv_dir = out / "report.html", out / "csv"
    code = main(["report", "--db", str(canary_db), "--out", str(page), "--csv", str(csv_dir),
                 "--from", "2026-04-01", "--to", "2026-06-01"], environ={})
    assert code == 0
    return page, csv_dir


def test_the_canaries_are_really_in_the_database(canary_db: Path) -> None:
    conn = sqlite3.connect(canary_db)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    for canary in (CANARY_NAME, CANARY_TEXT, CANARY_ID):
        assert canary in dump, canary
    # An invitation code is used once the person says yes and is then forgotten (only
    # invitations' hashes are kept, issue 12): it is not in the file at all.
    assert CANARY_CODE not in dump


def test_no_name_text_id_or_invite_code_in_the_page_or_csv(written: tuple[Path, Path]) -> None:
    page, csv_dir = written
    files = [page, *sorted(csv_dir.glob("*.csv"))]
    assert len(files) > 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        for canary in CANARIES:
            assert canary.lower() not in text.lower(), (path.name, canary)
        # No times of day, no full dates other than week starts: weeks only.
        assert not re.search(r"\d\d:\d\d", text), path.name
        assert not re.search(r"\d{4}-\d\d-\d\dT", text), path.name


def test_the_page_is_self_contained(written: tuple[Path, Path]) -> None:
    html = written[0].read_text(encoding="utf-8")
    assert "<script" not in html and "@import" not in html and "url(" not in html
    assert re.findall(r"(?:src|href)=", html) == []
    # The only address is the SVG namespace, which is a name, not a fetch.
    assert set(re.findall(r"https?://[^\s\"']+", html)) <= {"http://www.w3.org/2000/svg"}
    assert html.count("<svg") >= 5
    assert "In one minute" in html and "Drop-off at every question" in html


def test_the_report_shows_the_figures(written: tuple[Path, Path]) -> None:
    page, csv_dir = written
    weekly = (csv_dir / "weekly.csv").read_text(encoding="utf-8").splitlines()
    assert weekly[0].startswith("Week,New people,Active people")
    assert weekly[-1].startswith("All weeks,")
    dropoff = (csv_dir / "dropoff.csv").read_text(encoding="utf-8")
    assert "checkin" in dropoff and "nudge" in dropoff
    html = page.read_text(encoding="utf-8")
    assert "not enough people yet to say" in html or "Average change" in html


def test_an_unknown_cohort_is_refused_plainly(canary_db: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "--db", str(canary_db), "--out", str(tmp_path / "r.html"),
                 "--cohort", "north"], environ={})
    assert code == 2
    err = capsys.readouterr().err
    assert "no cohort named 'north'" in err and "goodhelp invite person --cohort" in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_a_missing_database_is_an_error_not_a_traceback(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    code = main(["report", "--db", str(tmp_path / "none.db"), "--out",
                 str(tmp_path / "r.html")], environ={})
    assert code == 1
    assert "no such database" in capsys.readouterr().err
