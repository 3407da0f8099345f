"""The ``custmatch dedupe`` command: inputs in every format, outputs, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import custmatch
from custmatch.cli import main
from custmatch.files import has_parquet

TABLES = ("clusters", "golden", "lineage", "pairs")
FILES = ("model.json", "settings.json", "report.html", "summary.txt")


@pytest.fixture(scope="module")
def example() -> tuple[pd.DataFrame, pd.DataFrame]:
    return custmatch.load_example()


@pytest.fixture(scope="module")
def small(example: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    records, truth = example
    keep = truth["entity_id"].isin(truth["entity_id"].drop_duplicates().head(300))
    return records[keep.to_numpy()].reset_index(drop=True), truth[keep].reset_index(drop=True)


def _run(*args: object) -> int:
    return main([str(a) for a in args] + ["--no-progress"])


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)


def _outputs(folder: Path, suffix: str) -> dict[str, pd.DataFrame]:
    for name in FILES:
        assert (folder / name).is_file(), name
    assert not list(folder.glob(".custmatch-partial-*"))
    return {name: _read(folder / f"{name}{suffix}") for name in TABLES}


def test_csv_in_csv_out_with_truth(tmp_path: Path, small, capsys) -> None:
    records, truth = small
    records.to_csv(tmp_path / "records.csv", index=False)
    truth.to_csv(tmp_path / "truth.csv", index=False)
    out = tmp_path / "out"
    assert _run("dedupe", tmp_path / "records.csv", "-o", out, "--truth",
                tmp_path / "truth.csv", "--format", "csv") == 0
    tables = _outputs(out, ".csv")
    assert sorted(tables["clusters"]["record_id"]) == sorted(records["record_id"])
    assert len(tables["golden"]) == tables["clusters"]["cluster_id"].nunique()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["f1"] > 0.85
    printed = capsys.readouterr().out
    assert "golden records" in printed and "pairwise F1" in printed
    assert (tables["pairs"]["match_probability"].astype(float) >= 0.5).all()


@pytest.mark.skipif(not has_parquet(), reason="pyarrow is not installed")
def test_parquet_in_parquet_out(tmp_path: Path, small) -> None:
    records, _ = small
    records.to_parquet(tmp_path / "records.parquet", index=False)
    out = tmp_path / "out"
    assert _run("dedupe", tmp_path / "records.parquet", "-o", out) == 0
    tables = _outputs(out, ".parquet")
    assert len(tables["clusters"]) == len(records)
    assert tables["golden"]["n_records"].sum() == len(records)


def test_cp1252_export_with_semicolons_is_read(tmp_path: Path, small) -> None:
    records, truth = small
    extra = {c: None for c in records.columns}
    extra.update(record_id="zz-1", source="crm", first_name="José", surname="Müller",
                 postcode="9999 ZZ", house_number="1", city="Ootmarsum")
    records = pd.concat([records, pd.DataFrame([extra])], ignore_index=True)
    truth = pd.concat([truth, pd.DataFrame([{"record_id": "zz-1", "entity_id": "zz"}])],
                      ignore_index=True)
    text = records.to_csv(sep=";", index=False, lineterminator="\r\n")
    text = text.encode("cp1252", errors="replace").decode("cp1252")  # what Excel can export
    (tmp_path / "crm.csv").write_bytes(text.encode("cp1252"))
    truth.to_csv(tmp_path / "truth.csv", index=False)
    out = tmp_path / "out"
    assert _run("dedupe", tmp_path / "crm.csv", "-o", out, "--format", "csv",
                "--truth", tmp_path / "truth.csv") == 0
    golden = pd.read_csv(out / "golden.csv", dtype=str)
    assert {"José Müller"} <= set(golden["first_name"] + " " + golden["surname"])
    assert json.loads((out / "metrics.json").read_text())["f1"] > 0.85


def test_excel_input(tmp_path: Path, small) -> None:
    pytest.importorskip("openpyxl", reason="openpyxl is not installed")
    records, _ = small
    records.head(200).to_excel(tmp_path / "crm.xlsx", index=False)
    out = tmp_path / "out"
    assert _run("dedupe", tmp_path / "crm.xlsx", "-o", out, "--format", "csv") == 0
    assert len(pd.read_csv(out / "clusters.csv", dtype=str)) == 200


def test_several_inputs_are_several_sources(tmp_path: Path, small) -> None:
    records, _ = small
    for name, part in records.groupby("source"):
        part.drop(columns=["source"]).to_csv(tmp_path / f"{name}.csv", index=False)
    inputs = sorted(tmp_path.glob("*.csv"))
    out = tmp_path / "out"
    assert _run("dedupe", *inputs, "-o", out, "--format", "csv") == 0
    clusters = pd.read_csv(out / "clusters.csv", dtype=str)
    assert sorted(clusters["source"].unique()) == sorted(p.stem for p in inputs)
    assert sorted(clusters["record_id"]) == sorted(records["record_id"])


def test_saved_settings_repeat_the_run(tmp_path: Path, small) -> None:
    records, _ = small
    records.to_csv(tmp_path / "records.csv", index=False)
    assert _run("dedupe", tmp_path / "records.csv", "-o", tmp_path / "a", "--format",
                "csv") == 0
    assert _run("dedupe", tmp_path / "records.csv", "-o", tmp_path / "b", "--format", "csv",
                "--settings", tmp_path / "a" / "settings.json") == 0
    first = pd.read_csv(tmp_path / "a" / "clusters.csv", dtype=str)
    second = pd.read_csv(tmp_path / "b" / "clusters.csv", dtype=str)
    pd.testing.assert_frame_equal(first, second)


def test_columns_map_and_threshold(tmp_path: Path) -> None:
    pd.DataFrame({"nr": ["a", "b"], "fam": ["Jansen", "Jansen"], "pc": ["1234AB", "1234 AB"],
                  "hnr": ["5", "5"], "vn": ["Jan", "Jan"]}).to_csv(tmp_path / "x.csv",
                                                                 index=False)
    (tmp_path / "map.json").write_text(json.dumps(
        {"record_id": "nr", "surname": "fam", "house_number": "hnr", "first_name": "vn"}))
    out = tmp_path / "out"
    assert _run("dedupe", tmp_path / "x.csv", "-o", out, "--columns", tmp_path / "map.json",
                "--threshold", "0.5", "--format", "csv") == 0
    settings = json.loads((out / "settings.json").read_text())
    assert settings["threshold"] == 0.5
    assert settings["columns"]["surname"] == "fam"


def _bad(tmp_path: Path, name: str, content: bytes | None) -> Path:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize(("name", "content", "extra", "message"), [
    ("missing.csv", None, [], "file not found"),
    ("empty.csv", b"", [], "empty"),
    ("header.csv", b"voornaam,achternaam\n", [], "no records"),
    ("binary.csv", b"\x00\x01\x02garbage\x00" * 10, [], "binary content"),
    ("odd.csv", b"naam\nJos\x81\x8d\n", [],
     "unreadable encoding"),
    ("colours.csv", b"kleur,maat\nrood,L\nblauw,M\n", [], "no recognisable"),
    ("dups.csv", b"record_id,achternaam\na,Jansen\na,Bakker\n", [], "duplicated id"),
    ("data.json", b"{}", [], "unknown file type"),
    ("ok.csv", b"achternaam\nJansen\nBakker\n", ["--threshold", "2"], "threshold"),
    ("ok.csv", b"achternaam\nJansen\nBakker\n", ["--settings", "nope.json"],
     "settings file not found"),
    ("ok.csv", b"achternaam\nJansen\nBakker\n", ["--columns", "nope.json"],
     "columns file not found"),
])
def test_bad_input_exits_2_with_a_message_and_no_output(
        tmp_path: Path, capsys, name: str, content: bytes | None, extra: list[str],
        message: str) -> None:
    path = _bad(tmp_path, name, content)
    out = tmp_path / "out"
    extra = [str(tmp_path / e) if e.endswith(".json") else e for e in extra]
    assert main(["dedupe", str(path), "-o", str(out), "--no-progress", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()


def test_failure_while_writing_leaves_no_partial_files(tmp_path: Path, small,
                                                       monkeypatch) -> None:
    records, _ = small
    records.head(100).to_csv(tmp_path / "r.csv", index=False)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("custmatch.report.write_report", broken)
    out = tmp_path / "out"
    assert main(["dedupe", str(tmp_path / "r.csv"), "-o", str(out), "--no-progress"]) == 2
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_largest_table_written_by_a_child_process_is_the_same(tmp_path: Path, small,
                                                             monkeypatch, fmt: str) -> None:
    """Above a size the largest table is written in a forked child; the files are the
    ones written in this process, and a failing write still leaves nothing behind."""
    if fmt == "parquet" and not has_parquet():
        pytest.skip("pyarrow is not installed")
    import custmatch.files as files

    records, _ = small
    result = custmatch.deduplicate(records, progress=False)
    suffix = f".{fmt}"
    files.write_outputs(result, tmp_path / "here", fmt=fmt)
    monkeypatch.setattr(files, "_BACKGROUND_CELLS", 1)
    files.write_outputs(result, tmp_path / "child", fmt=fmt)
    here, child = _outputs(tmp_path / "here", suffix), _outputs(tmp_path / "child", suffix)
    for name in TABLES:
        pd.testing.assert_frame_equal(child[name], here[name])
    original = files._write_table

    def lineage_fails(frame, folder, name, parquet):  # in the child and again in the parent
        if name == "lineage":
            raise OSError("disk full")
        return original(frame, folder, name, parquet)

    monkeypatch.setattr(files, "_write_table", lineage_fails)
    with pytest.raises(OSError, match="disk full"):
        files.write_outputs(result, tmp_path / "failed", fmt=fmt)
    assert not (tmp_path / "failed").exists()
