from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from custmatch.cli import main
from custmatch.demo import naive_key_clusters, run_demo


def test_generate_writes_records_and_truth(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["generate", "--entities", "40", "--seed", "3", "-o", str(tmp_path)]) == 0
    records = pd.read_csv(tmp_path / "records.csv", dtype=str)
    truth = pd.read_csv(tmp_path / "truth.csv", dtype=str)
    assert len(records) == len(truth) > 40
    assert records["record_id"].tolist() == truth["record_id"].tolist()
    assert "wrote" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.partial"))


def test_generate_bad_count_exits_2_with_message(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    assert main(["generate", "--entities", "-5", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "InputError" in err
    assert "-5" in err
    assert not (tmp_path / "x").exists()


def test_evaluate_command_prints_metrics(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pd.DataFrame({"record_id": ["a", "b", "c"], "cluster_id": [1, 1, 2]}).to_csv(
        tmp_path / "c.csv", index=False)
    pd.DataFrame({"record_id": ["a", "b", "c"], "entity_id": ["x", "x", "x"]}).to_csv(
        tmp_path / "t.csv", index=False)
    assert main(["evaluate", "--clusters", str(tmp_path / "c.csv"),
                 "--truth", str(tmp_path / "t.csv")]) == 0
    out = capsys.readouterr().out
    assert '"precision": 1.0' in out
    assert '"recall": 0.3333' in out


def test_evaluate_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["evaluate", "--clusters", str(tmp_path / "nope.csv"),
                 "--truth", str(tmp_path / "nope.csv")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_demo_runs_the_pipeline_and_writes_the_run(tmp_path: Path) -> None:
    text = run_demo(output=tmp_path)
    assert "real customers: 950" in text
    assert "same e-mail (lower-cased)" in text
    assert "golden records" in text
    assert "pairwise F1" in text
    assert "worst remaining false merge" in text
    for name in ("records.csv", "truth.csv", "report.html", "model.json", "settings.json",
                 "metrics.json", "summary.txt"):
        assert (tmp_path / name).is_file(), name
    assert not list(tmp_path.glob(".custmatch-partial-*"))


def test_naive_key_clusters_keeps_keyless_records_alone() -> None:
    records = pd.DataFrame({"record_id": ["a", "b", "c", "d"]})
    got = naive_key_clusters(records, pd.Series(["k", None, "k", None]))
    assert got["cluster_id"].tolist() == ["k:k", "r:b", "k:k", "r:d"]


def test_python_dash_m_runs_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "custmatch", "--help"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0
    assert "demo" in done.stdout
    assert "dedupe" in done.stdout
