"""The ``custmatch`` command.

Commands:
    ``custmatch dedupe INPUT... -o OUTDIR``: golden records from one or more exports (CSV,
        Parquet, Excel; several inputs are several sources, named by file name). Options:
        ``--columns map.json`` ({role: column}, or {source: {role: column}}), ``--settings
        s.json`` (e.g. the ``settings.json`` of an earlier run, which repeats it exactly),
        ``--threshold p``, ``--truth truth.csv`` (adds metrics), ``--encoding``, ``--format
        parquet|csv``, ``--all-pairs``, ``--previous clusters.csv`` (stable golden ids).
        Writes clusters, golden, lineage, pairs, model.json, settings.json, report.html,
        summary.txt (and metrics.json with a truth).
    ``custmatch demo [-o OUTDIR]``: the same on the bundled example (about 2,000 Dutch
        customer records from five source systems), evaluated against its truth.
    ``custmatch generate --entities N [--seed S] [--difficulty D] -o DIR``: write
        ``records.csv`` and ``truth.csv`` of synthetic Dutch customer data.
    ``custmatch evaluate --clusters FILE --truth FILE``: pairwise and B-cubed metrics of a
        clustering (CSV with ``record_id`` and ``cluster_id``) against a truth CSV.
    ``custmatch index create INPUT... -o INDEX.db``: a batch run (options as ``dedupe``)
        stored as an incremental match index (:class:`custmatch.index.MatchIndex`).
    ``custmatch index add INDEX.db INPUT...``: add new records; one JSON decision per line.
    ``custmatch index match INDEX.db (INPUT... | --record JSON)``: read-only lookups; one
        JSON decision per line.
    ``custmatch index forget INDEX.db GOLDEN_ID...``: erase people (AVG).

Exit codes: 0 success; 2 bad input or usage (missing or unreadable file, unreadable
encoding, no recognisable columns, duplicate ids, bad settings; the message names the
problem, and no output files are left behind); 1 an unexpected error.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from custmatch.errors import CustmatchError, InputError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="custmatch",
        description="Dutch customer records from many source systems -> golden records.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dedupe = sub.add_parser("dedupe", help="golden records from customer exports")
    dedupe.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                        help="CSV, Parquet or Excel files; several files are several sources")
    dedupe.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    _run_options(dedupe)

    demo = sub.add_parser("demo", help="run the whole pipeline on the bundled example")
    demo.add_argument("-o", "--output", type=Path, default=Path("custmatch-demo"),
                      help="output folder (default: ./custmatch-demo)")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")

    gen = sub.add_parser("generate", help="write synthetic Dutch customer data")
    gen.add_argument("--entities", type=int, required=True, help="number of real customers")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--difficulty", choices=["easy", "medium", "hard"], default="medium")
    gen.add_argument("-o", "--output", type=Path, required=True, help="output folder")

    ev = sub.add_parser("evaluate", help="score a clustering against the truth")
    ev.add_argument("--clusters", type=Path, required=True, help="CSV: record_id, cluster_id")
    ev.add_argument("--truth", type=Path, required=True, help="CSV: record_id, entity_id")

    index = sub.add_parser("index", help="incremental match index (real-time sync, AVG)")
    isub = index.add_subparsers(dest="index_command", required=True, metavar="ACTION")
    create = isub.add_parser("create", help="a batch run stored as a match index")
    create.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                        help="CSV, Parquet or Excel files; several files are several sources")
    create.add_argument("-o", "--output", type=Path, required=True, metavar="INDEX.db",
                        help="the index file to create (must not exist)")
    create.add_argument("--columns", type=Path, metavar="MAP.json",
                        help="JSON {role: column} (or {source: {role: column}})")
    create.add_argument("--settings", type=Path, metavar="S.json", help="settings JSON")
    create.add_argument("--threshold", type=float, help="match probability for a link")
    create.add_argument("--encoding", help="encoding of CSV inputs (default: detected)")
    create.add_argument("--no-progress", action="store_true", help="no progress bar")
    add = isub.add_parser("add", help="add new records; prints one JSON decision per line")
    add.add_argument("index", type=Path, metavar="INDEX.db")
    add.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    add.add_argument("--encoding", help="encoding of CSV inputs (default: detected)")
    match = isub.add_parser("match", help="read-only lookups; one JSON decision per line")
    match.add_argument("index", type=Path, metavar="INDEX.db")
    match.add_argument("inputs", nargs="*", type=Path, metavar="INPUT")
    match.add_argument("--record", action="append", default=[], metavar="JSON",
                       help='a record as JSON, e.g. \'{"record_id": "q1", "email": "..."}\'')
    match.add_argument("--encoding", help="encoding of CSV inputs (default: detected)")
    forget = isub.add_parser("forget", help="erase people (AVG right to erasure)")
    forget.add_argument("index", type=Path, metavar="INDEX.db")
    forget.add_argument("golden_ids", nargs="+", metavar="GOLDEN_ID")
    return parser


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--columns", type=Path, metavar="MAP.json",
                        help="JSON {role: column} (or {source: {role: column}})")
    parser.add_argument("--settings", type=Path, metavar="S.json", help="settings JSON")
    parser.add_argument("--threshold", type=float, help="match probability for a link")
    parser.add_argument("--truth", type=Path, metavar="TRUTH.csv",
                        help="CSV with record_id and entity_id: adds metrics to the report")
    parser.add_argument("--previous", type=Path, metavar="CLUSTERS",
                        help="clusters file of an earlier run (record_id, cluster_id): "
                             "keeps golden ids stable")
    parser.add_argument("--encoding", help="encoding of CSV inputs (default: detected)")
    parser.add_argument("--format", choices=["auto", "parquet", "csv"], default="auto",
                        help="output tables (auto: Parquet when pyarrow is installed)")
    parser.add_argument("--all-pairs", action="store_true",
                        help="write every scored candidate pair, not only those at or above "
                             "the review threshold")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _read_table(path: Path) -> pd.DataFrame:
    from custmatch.files import read_records

    return read_records(path)


def _read_json(path: Path, what: str) -> object:
    if not path.is_file():
        raise InputError(f"{what} file not found: {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} file {path} is not valid JSON: {exc}") from exc


def _source_names(paths: Sequence[Path]) -> list[str]:
    names: list[str] = []
    for path in paths:
        name, k = path.stem, 2
        while name in names:
            name, k = f"{path.stem}_{k}", k + 1
        names.append(name)
    return names


def _cmd_dedupe(args: argparse.Namespace) -> int:
    from custmatch.files import read_records, write_outputs
    from custmatch.pipeline import link
    from custmatch.settings import Settings

    frames = [read_records(p, encoding=args.encoding) for p in args.inputs]
    columns = _read_json(args.columns, "columns") if args.columns else None
    if columns is not None and not isinstance(columns, dict):
        raise InputError(f"columns file {args.columns} must hold a JSON object "
                         "{role: column}")
    settings = Settings.load(args.settings) if args.settings else None
    truth = _read_table(args.truth) if args.truth else None
    previous = _read_table(args.previous) if args.previous else None
    options = {"columns": columns, "settings": settings, "threshold": args.threshold,
               "previous": previous, "progress": not args.no_progress}
    # one file or several: each file is a source, named after the file (unless it has a
    # source column of its own)
    result = link(dict(zip(_source_names(args.inputs), frames, strict=True)), **options)
    paths = write_outputs(result, args.output, fmt=args.format, all_pairs=args.all_pairs,
                          truth=truth)
    _print_summary(result, truth, paths)
    return 0


def _print_summary(result: object, truth: pd.DataFrame | None, paths: dict[str, Path]) -> None:
    print(result.summary())  # type: ignore[attr-defined]
    if truth is not None:
        m = result.metrics(truth)  # type: ignore[attr-defined]
        print(f"against the truth: precision {m['precision']:.4f}, recall {m['recall']:.4f}, "
              f"pairwise F1 {m['f1']:.4f}, pair completeness {m['pair_completeness']:.4f}")
    folder = next(iter(paths.values())).parent if paths else None
    print(f"wrote {', '.join(p.name for p in paths.values())} to {folder}")
    print(f"open {paths['report']} in a browser for the report")


def _cmd_generate(args: argparse.Namespace) -> int:
    from custmatch.datasets import generate_customers
    from custmatch.datasets.io import save_dataset

    records, truth = generate_customers(args.entities, seed=args.seed,
                                        difficulty=args.difficulty)
    paths = save_dataset(records, truth, args.output)
    print(f"wrote {len(records):,} records of {truth['entity_id'].nunique():,} customers "
          f"to {paths[0]} and {paths[1]}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from custmatch.evaluate import evaluate_clusters

    metrics = evaluate_clusters(_read_table(args.clusters), _read_table(args.truth))
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v)
                      for k, v in metrics.to_dict().items()}, indent=2))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from custmatch.demo import run_demo

    print(run_demo(args.output, progress=not args.no_progress))
    return 0


def _decision_json(decision: object) -> str:
    d = decision  # a custmatch.index.Decision
    return json.dumps({
        "record_id": d.record_id, "event": d.event, "golden_id": d.golden_id,  # type: ignore[attr-defined]
        "matches": [{"record_id": m.record_id, "golden_id": m.golden_id,
                     "match_weight": round(m.match_weight, 3),
                     "match_probability": round(m.match_probability, 6)}
                    for m in d.matches],  # type: ignore[attr-defined]
        "changed_fields": list(d.changed_fields),  # type: ignore[attr-defined]
        "retired_ids": list(d.retired_ids)}, ensure_ascii=False)  # type: ignore[attr-defined]


def _index_records(paths: Sequence[Path], encoding: str | None) -> list[dict]:
    from custmatch.files import read_records

    records: list[dict] = []
    for path in paths:
        frame = read_records(path, encoding=encoding)
        if "source" not in frame.columns:
            frame = frame.assign(source=path.stem)
        records.extend(frame.to_dict("records"))
    return records


def _cmd_index(args: argparse.Namespace) -> int:
    from custmatch.index import MatchIndex

    if args.index_command == "create":
        from custmatch.files import read_records
        from custmatch.pipeline import link
        from custmatch.settings import Settings

        if args.output.exists():
            raise InputError(f"{args.output} already exists; choose another path")
        frames = [read_records(p, encoding=args.encoding) for p in args.inputs]
        columns = _read_json(args.columns, "columns") if args.columns else None
        if columns is not None and not isinstance(columns, dict):
            raise InputError(f"columns file {args.columns} must hold a JSON object")
        settings = Settings.load(args.settings) if args.settings else None
        result = link(dict(zip(_source_names(args.inputs), frames, strict=True)),
                      columns=columns, settings=settings, threshold=args.threshold,
                      progress=not args.no_progress)
        with MatchIndex.create(args.output, result) as index:
            print(f"wrote {index!r}")
        return 0
    if args.index_command == "add":
        with MatchIndex.open(args.index) as index:
            for decision in index.add_many(_index_records(args.inputs, args.encoding)):
                print(_decision_json(decision))
        return 0
    if args.index_command == "match":
        records = _index_records(args.inputs, args.encoding)
        for text in args.record:
            try:
                records.append(json.loads(text))
            except json.JSONDecodeError as exc:
                raise InputError(f"--record is not valid JSON: {exc}") from exc
        if not records:
            raise InputError("give records to match: INPUT files or --record JSON")
        with MatchIndex.open(args.index, readonly=True) as index:
            for record in records:
                print(_decision_json(index.match(record)))
        return 0
    with MatchIndex.open(args.index) as index:
        for golden_id in args.golden_ids:
            index.forget(golden_id)
            print(f"forgot {golden_id}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``custmatch`` command on ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Example:
        >>> main(["generate", "--entities", "-1", "-o", "/tmp/never"])
        2
    """
    args = _parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        return _dispatch(args)


def _show_warning(message: Warning | str, category: type[Warning], *args: object,
                  **kwargs: object) -> None:
    print(f"custmatch: warning: {message}", file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    commands = {"dedupe": _cmd_dedupe, "demo": _cmd_demo, "generate": _cmd_generate,
                "evaluate": _cmd_evaluate, "index": _cmd_index}
    try:
        return commands[args.command](args)
    except CustmatchError as exc:
        print(f"custmatch {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"custmatch {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
