"""Shared helpers for benchmark scripts: timing, peak memory, one JSON line on stdout.

Every benchmark prints exactly one JSON line on stdout (logs go to stderr) with at least
``benchmark``, ``custmatch_version``, ``python``, ``cpu_count`` and ``machine``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    On Linux this reads ``VmHWM`` from ``/proc/self/status``: ``ru_maxrss`` survives
    ``exec``, so a benchmark child started from a big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, KiB on Linux
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def peak_rss_children_mb() -> float:
    """Largest peak RSS among this process's finished children (worker processes), in MiB.

    Forked workers share the parent's pages until they write them, so parent and child
    figures overlap; report both rather than their sum.
    """
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def run_child(script: str, engine: str, data_path: str) -> dict[str, Any]:
    """Run ``script --engine ENGINE --data PATH`` in a fresh process; parse its JSON line.

    Each engine runs in its own process so that its peak memory is its own.
    """
    done = subprocess.run([sys.executable, script, "--engine", engine, "--data", data_path],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"engine": engine, "error": done.stderr.strip().splitlines()[-3:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def engine_child(
    engines: dict[str, Callable[[dict], Any]],
    engine: str,
    data_path: str,
    finish: Callable[[dict, Any], dict[str, Any]] | None = None,
) -> None:
    """Child-process side of :func:`run_child`: run one engine on the pickled dataset and
    print its JSON line (``skipped`` when the engine's library is not installed).

    ``finish(data, result)`` turns the engine's result into the reported dict (default: the
    result is that dict); peak memory of this process and its workers is added.
    """
    data = pd.read_pickle(data_path)
    try:
        result = engines[engine](data)
    except ImportError as exc:
        print(json.dumps({"engine": engine, "skipped": f"not installed: {exc.name}"}))
        return
    info = finish(data, result) if finish is not None else result
    info["peak_rss_mb"] = peak_rss_mb()
    info["peak_rss_workers_mb"] = peak_rss_children_mb()
    print(json.dumps({"engine": engine, **info}))


def side_by_side(script: str, engines: list[str], data_path: str) -> dict[str, Any]:
    """Run every engine on one prepared dataset; add each peer's time ratio to custmatch."""
    results = {}
    for engine in engines:
        log(f"  {engine} ...")
        results[engine] = run_child(script, engine, data_path)
    base = results.get("custmatch", {}).get("seconds")
    for name, res in results.items():
        if name != "custmatch" and res.get("seconds") and base:
            res["time_ratio_vs_custmatch"] = round(res["seconds"] / base, 2)
    return results


@contextmanager
def timed(stages: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall time of the block to ``stages[name]`` (seconds, rounded to ms)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        stages[name] = round(stages.get(name, 0.0) + time.perf_counter() - start, 3)


def base_record(benchmark: str) -> dict[str, Any]:
    """The keys every benchmark line starts with."""
    try:
        import custmatch

        version = custmatch.__version__
    except Exception:  # pragma: no cover - benchmark run outside an install
        version = None
    return {
        "benchmark": benchmark,
        "custmatch_version": version,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
    }


def log(*parts: object) -> None:
    """Progress message on stderr (stdout is reserved for the JSON line)."""
    print(*parts, file=sys.stderr, flush=True)


def emit(record: dict[str, Any]) -> None:
    """Print the result as one JSON line on stdout."""
    print(json.dumps(record, default=str), flush=True)
