"""The HTML run report: structure, figures, escaping, no external references, edge cases,
size at scale, and a real headless-browser rendering (skipped when no Chromium is found)."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import struct
import subprocess
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import custmatch
from custmatch.cluster import DEFAULT_THRESHOLD
from custmatch.pipeline import Result, deduplicate
from custmatch.report import render_report, write_report

SECTIONS = ("Run summary", "Normalisation quality", "Blocking", "Match model",
            "Match-weight distribution", "Cluster sizes", "Doubtful clusters",
            "Accuracy against the truth")
SECTION_IDS = ("summary", "quality", "blocking", "model", "weights", "clusters", "review",
               "truth")
EVIL = "<script>alert(1)</script>"
CHROMIUM = (shutil.which("chromium") or shutil.which("chromium-browser")
            or shutil.which("google-chrome"))
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="browser rendering test: no chromium, chromium-browser or google-chrome on PATH")


def run(records: pd.DataFrame) -> Result:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return deduplicate(records, progress=False)


@pytest.fixture(scope="module")
def example() -> tuple[Result, pd.DataFrame]:
    records, truth = custmatch.load_example()
    return run(records), truth


@pytest.fixture(scope="module")
def page(example: tuple[Result, pd.DataFrame]) -> str:
    result, truth = example
    return render_report(result, truth=truth)


def stat(page: str, key: str) -> str:
    """The value of one summary card."""
    match = re.search(rf'data-key="{key}"><span class="v">([^<]*)</span>', page)
    assert match, key
    return match.group(1)


def number(text: str) -> float:
    return float(text.replace(",", ""))


def assert_safe(page: str) -> None:
    """No script, no reference to anything outside the file."""
    lowered = page.lower()
    for needle in ("<script", "http://", "https://", "<link", "src=", "@import", "url(",
                   "<iframe", "<img", "javascript:"):
        assert needle not in lowered, needle


# ---------------------------------------------------------------------- structure
def test_render_report_has_every_section_in_order_with_toc(page: str) -> None:
    positions = [page.index(f"<h2>{i}. {title}</h2>")
                 for i, title in enumerate(SECTIONS, start=1)]
    assert positions == sorted(positions)
    for key in SECTION_IDS:
        assert f'<section id="{key}">' in page
        assert f'href="#{key}"' in page
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") >= 5
    assert "<style>" in page


def test_render_report_summary_numbers_equal_the_result(
        example: tuple[Result, pd.DataFrame], page: str) -> None:
    result, _ = example
    sizes = result.clusters.groupby("cluster_id").size()
    expected = {
        "records": len(result.records),
        "sources": result.records["source"].nunique(),
        "candidate_pairs": len(result.pairs),
        "links": int((result.pairs["match_probability"] >= result.settings.threshold).sum()),
        "golden_records": len(result.golden),
        "multi_record": int((sizes > 1).sum()),
        "largest_cluster": int(sizes.max()),
        "households": result.clusters["household_id"].nunique(),
        "review": len(result.review),
        "guard_splits": len(result.splits),
        "threshold": result.settings.threshold,
    }
    for key, value in expected.items():
        assert number(stat(page, key)) == pytest.approx(value), key
    assert number(stat(page, "total_seconds")) == pytest.approx(
        sum(result.timings.values()), abs=0.01)
    assert f"custmatch {custmatch.__version__}" in page
    for stage in result.timings:
        assert f">{stage}</td>" in page


def test_render_report_model_section_lists_every_level_and_training_run(
        example: tuple[Result, pd.DataFrame], page: str) -> None:
    result, _ = example
    model = page[page.index('<section id="model">'):page.index('<section id="weights">')]
    weights = result.model.weights()
    for row in weights[weights["level"] >= 0].itertuples():
        assert html.escape(f"{row.comparison}: {row.label}") in model
        assert f"{row.weight:+.2f}" in model
    for training in result.model.training:
        assert training.rule in model
    assert f"{result.model.prior:.4g}" in model


def test_render_report_histogram_draws_the_threshold_as_a_weight(page: str) -> None:
    weights = page[page.index('<section id="weights">'):page.index('<section id="clusters">')]
    assert f"match threshold p = {DEFAULT_THRESHOLD:g}" in weights
    assert "<line" in weights and "<rect" in weights


def test_render_report_review_pairs_show_both_records_most_uncertain_first(
        example: tuple[Result, pd.DataFrame]) -> None:
    result, _ = example
    page = render_report(result, max_review=7)
    assert page.count('<div class="pair">') == min(7, len(result.review))
    shown = [float(p) for p in re.findall(r'<div class="pair"><h3>\d+\. p = ([0-9.]+)', page)]
    distances = [abs(p - 0.5) for p in shown]
    assert distances == sorted(distances)
    first = result.review.iloc[(result.review["match_probability"] - 0.5).abs().argmin()]
    record = result.records.set_index("record_id").loc[first["left_id"]]
    card = page[page.index('<div class="pair">'):]
    card = card[:card.index("</div>")]
    assert first["left_id"] in card and first["right_id"] in card
    if isinstance(record["surname"], str):
        assert record["surname"] in card
    for label in ("name", "address", "phone", "e-mail", "birth date", "source", "evidence"):
        assert f"<th>{label}</th>" in card


def test_render_report_with_truth_shows_metrics_and_worst_errors(
        example: tuple[Result, pd.DataFrame], page: str) -> None:
    result, truth = example
    metrics = result.metrics(truth)
    section = page[page.index('<section id="truth">'):]
    for key in ("precision", "recall", "f1", "bcubed_precision", "bcubed_recall", "bcubed_f1"):
        assert f"{metrics[key]:.4f}" in section, key
    assert f"{metrics['pair_completeness']:.4f}".rstrip("0") in section
    assert "false merges" in section and "false splits" in section
    assert "1. cluster " in section and "1. entity " in section


def test_render_report_without_truth_says_how_to_get_metrics(
        example: tuple[Result, pd.DataFrame]) -> None:
    page = render_report(example[0], title="zonder waarheid")
    section = page[page.index('<section id="truth">'):]
    assert "No truth given" in section
    assert "precision</th>" not in section
    assert "<title>zonder waarheid</title>" in page
    assert_safe(page)


# ---------------------------------------------------------------------- safety
def test_render_report_escapes_customer_data_everywhere(
        example: tuple[Result, pd.DataFrame]) -> None:
    result, truth = example
    review = result.review.assign(u=(result.review["match_probability"] - 0.5).abs())
    target = review.sort_values("u").iloc[0]["left_id"]
    records = result.records.copy()
    row = records["record_id"] == target
    for column in ("surname", "email", "city", "street"):
        records[column] = records[column].astype(object)
        records.loc[row, column] = EVIL
    quality = result.quality.copy()
    quality["invalid_examples"] = [[EVIL]] * len(quality)
    skipped = pd.DataFrame({"rule": [EVIL], "key": [EVIL], "block_size": [5000],
                            "first_position": [0]})
    evil = dataclasses.replace(result, records=records, quality=quality, skipped_blocks=skipped)
    page = render_report(evil, truth=truth, title=EVIL)
    assert_safe(page)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert page.count(escaped) >= 6
    assert escaped in page[page.index('<section id="review">'):page.index('<section id="truth">')]


def test_render_report_escapes_data_from_the_pipeline() -> None:
    records = pd.DataFrame({"first_name": ["Jan", "Jan"], "surname": [EVIL, EVIL + "x"],
                            "postcode": ["1234AB", "1234AB"], "house_number": ["1", "1"],
                            "email": ["a@b.nl", 'x"><script>@b.nl']})
    page = render_report(run(records))
    assert_safe(page)


def test_render_report_has_no_external_references(page: str) -> None:
    assert_safe(page)
    assert "<svg xmlns" not in page


# ---------------------------------------------------------------------- edge cases
def test_render_report_single_record() -> None:
    result = run(pd.DataFrame({"first_name": ["Jan"], "surname": ["Berg"]}))
    page = render_report(result, truth=pd.DataFrame({"record_id": result.records["record_id"],
                                                     "entity_id": ["e1"]}))
    for title in SECTIONS:
        assert title in page
    assert "No scored pairs." in page
    assert "No doubtful pairs" in page
    assert stat(page, "records") == "1" and stat(page, "candidate_pairs") == "0"
    assert_safe(page)


def test_render_report_no_pairs_and_no_review() -> None:
    result = run(pd.DataFrame({"first_name": ["Jan", "Piet"], "surname": ["Berg", "Vries"],
                               "postcode": ["1234AB", "9999ZZ"]}))
    assert result.pairs.empty and result.review.empty
    page = render_report(result)
    assert "No scored pairs." in page
    assert "The chaining guard split no cluster." in page
    assert stat(page, "golden_records") == "2"


def test_render_report_survives_nan_and_infinite_values(
        example: tuple[Result, pd.DataFrame]) -> None:
    result, truth = example
    pairs = result.pairs.copy()
    pairs.loc[pairs.index[:5], "match_weight"] = np.nan
    pairs.loc[pairs.index[5:8], "match_weight"] = np.inf
    pairs.loc[pairs.index[8:10], "match_probability"] = np.nan
    review = result.review.copy()
    review.loc[review.index[:3], "match_probability"] = np.nan
    quality = result.quality.copy()
    quality.loc[quality.index[0], "filled_share"] = np.nan
    broken = dataclasses.replace(result, pairs=pairs, review=review, quality=quality,
                                 timings={})
    page = render_report(broken, truth=truth)
    assert "without a finite weight not drawn" in page
    assert re.search(r"\bnan\b", page, re.IGNORECASE) is None
    assert_safe(page)


def test_render_report_max_review_zero_shows_no_cards(
        example: tuple[Result, pd.DataFrame]) -> None:
    page = render_report(example[0], max_review=0)
    assert '<div class="pair">' not in page


def big_result(base: Result, n_records: int, n_pairs: int, seed: int = 0) -> Result:
    """A Result-like run with many random records, pairs and clusters (for size checks)."""
    rng = np.random.default_rng(seed)
    ids = pd.Series([f"r{i:08d}" for i in range(n_records)])
    records = pd.DataFrame({"record_id": ids, "source": rng.choice(["crm", "shop"], n_records),
                            "first_name": "Jan", "surname": "Berg", "postcode": "1234 AB"})
    cluster = rng.integers(0, n_records // 2, n_records)
    clusters = pd.DataFrame({"record_id": ids, "source": records["source"],
                             "cluster_id": cluster, "household_id": None})
    sizes = np.bincount(cluster)
    table = pd.DataFrame({"cluster_id": np.flatnonzero(sizes),
                          "size": sizes[sizes > 0]})
    left = rng.integers(0, n_records - 1, n_pairs)
    right = left + 1 + rng.integers(0, 5, n_pairs).clip(max=n_records - 2 - left)
    weight = rng.normal(-5, 10, n_pairs)
    pairs = pd.DataFrame({"left": left, "right": right, "match_weight": weight,
                          "match_probability": 1 / (1 + 2.0 ** -weight),
                          "level_first_name": rng.integers(-1, 5, n_pairs).astype(np.int8)})
    review = pd.DataFrame({"left_id": ids[left[:5000]].to_numpy(),
                           "right_id": ids[right[:5000]].to_numpy(),
                           "match_probability": rng.uniform(0.5, 0.95, 5000),
                           "left_cluster": 1, "right_cluster": 2})
    golden = pd.DataFrame({"golden_id": table["cluster_id"]})
    return dataclasses.replace(base, records=records, clusters=clusters, golden=golden,
                               pairs=pairs, cluster_table=table, review=review)


def test_render_report_stays_small_for_a_large_run(example: tuple[Result, pd.DataFrame]) -> None:
    result = big_result(example[0], n_records=200_000, n_pairs=1_000_000)
    page = render_report(result, max_review=50)
    assert len(page) < 600_000
    assert page.count('<div class="pair">') == 50
    assert stat(page, "candidate_pairs") == "1,000,000"
    weights = page[page.index('<section id="weights">'):page.index('<section id="clusters">')]
    assert weights.count("<rect") <= 130
    assert_safe(page)


def test_render_report_buckets_many_cluster_sizes(example: tuple[Result, pd.DataFrame]) -> None:
    sizes = np.r_[np.repeat(np.arange(1, 41), np.arange(40, 0, -1)), [64, 200, 1000, 5000]]
    table = pd.DataFrame({"cluster_id": [f"G{i}" for i in range(len(sizes))], "size": sizes})
    page = render_report(dataclasses.replace(example[0], cluster_table=table))
    section = page[page.index('<section id="clusters">'):page.index('<section id="review">')]
    for label in ("10", "11–16", "17–32", "33–64", "129–256", "513–1024", "4097–8192"):
        assert f">{label}</text>" in section, label
    assert ">5,000</td>" in section  # the largest cluster heads its table


def test_write_report_writes_utf8_and_returns_the_path(
        example: tuple[Result, pd.DataFrame], tmp_path: Path) -> None:
    result, truth = example
    out = write_report(result, tmp_path / "report.html", truth=truth, max_review=3)
    assert out == tmp_path / "report.html"
    text = out.read_text(encoding="utf-8")
    assert text.count('<div class="pair">') == 3
    assert "Accuracy against the truth" in text


# ---------------------------------------------------------------------- browser
def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--hide-scrollbars",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the decompressed (still filtered) scanlines of a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    position, idat = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind == b"IDAT":
            idat += data[position + 8:position + 8 + length]
        position += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.fixture(scope="module")
def report_file(example: tuple[Result, pd.DataFrame],
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    result, truth = example
    return write_report(result, tmp_path_factory.mktemp("report") / "report.html", truth=truth)


@needs_chromium
def test_chromium_renders_every_section_and_chart(report_file: Path, tmp_path: Path) -> None:
    done = chromium(["--dump-dom", report_file.as_uri()], tmp_path / "profile")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for i, title in enumerate(SECTIONS, start=1):
        assert f"<h2>{i}. {title}</h2>" in dom
    assert dom.count("<svg") >= 5
    assert re.search(r'<svg class="chart"[^>]*aria-label="Match weights of all scored pairs"',
                     dom)
    assert '<div class="pair">' in dom


@needs_chromium
def test_chromium_screenshot_is_not_blank(report_file: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = chromium([f"--screenshot={shot}", "--window-size=1280,2000", report_file.as_uri()],
                    tmp_path / "profile")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 20_000
    width, height, pixels = png_pixels(shot)
    assert (width, height) == (1280, 2000)
    assert len(set(pixels)) > 50  # text, bars and rules: far from one flat colour
