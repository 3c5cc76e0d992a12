"""Issue #24, case 4, end to end: `scs run search_interest` on a snapshot that cannot decide the claims (a
weekly five-year export, synthetic) succeeds, its claims read 'not checkable' with the reason, and its figure
says why there is no curve; the run writes nothing outside the project."""

from __future__ import annotations

import json
from datetime import date, timedelta

from scs_compendium import cli
from scs_compendium.chain import compendium_runner

from ..conftest import files_outside


def test_a_weekly_five_year_snapshot_runs_and_reads_not_checkable(real_chain_copy, tmp_path, monkeypatch, capsys):
    root = real_chain_copy  # the chain as built: the new snapshot makes search_interest, and only it, run again
    weeks = [date(2017, 11, 5) + timedelta(days=7 * i) for i in range(260)]
    export = tmp_path / "synthetic_multiTimeline.csv"
    export.write_text("Category: All categories\n\nWeek,Social Credit System: (Worldwide)\n"
                      + "".join(f"{w.isoformat()},{5 + i % 50}\n" for i, w in enumerate(weeks)), encoding="utf-8")
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(root))
    assert cli.main(["import", "trends", str(export), "--retrieved", "2023-01-02"]) == 0
    before = files_outside(tmp_path, root)
    lines: list[str] = []
    outcome = compendium_runner(root, log=lines.append).run(targets=["search_interest"])
    assert outcome.ok, "\n".join(lines)
    ran = [line.split("] ")[1].split(":")[0] for line in lines if line.startswith("[") and ": running" in line]
    assert ran == ["search_interest"], "\n".join(lines)  # its upstream steps were fresh in the built chain
    assert files_outside(tmp_path, root) == before
    claims = {row["id"]: row for row in json.loads((root / "build/claims.json").read_text())["claims"]}
    for claim in ("s3-trends-rise-end-2016", "s3-trends-traction-2018", "s3-trends-peak-2021h2"):
        assert claims[claim]["verdict"] == "not checkable"
        assert "does not cover 2004-01 to 2022-12" in claims[claim]["why"]
    assert (root / "figures/search_interest.png").is_file()
    page = (root / "build/notebooks/search_interest.html").read_text(encoding="utf-8")
    assert "KeyError" not in page and "cannot decide the claims" in page
