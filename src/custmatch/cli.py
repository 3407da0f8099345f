"""The ``custmatch`` command.

Commands:
    ``custmatch demo``: the bundled example (about 2,000 Dutch customer records from five
        source systems) with its truth, summarised and evaluated.
    ``custmatch generate --entities N [--seed S] [--difficulty D] -o DIR``: write
        ``records.csv`` and ``truth.csv`` of synthetic Dutch customer data.
    ``custmatch evaluate --clusters FILE --truth FILE``: pairwise and B-cubed metrics of a
        clustering (CSV with ``record_id`` and ``cluster_id``) against a truth CSV.

Exit codes: 0 success, 2 bad input or usage (the message names the problem), 1 an
unexpected error.
"""

from __future__ import annotations

import argparse
import json
import sys
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

    demo = sub.add_parser("demo", help="summarise and evaluate the bundled example")
    demo.add_argument("-o", "--output", type=Path, help="also write the example's CSVs here")

    gen = sub.add_parser("generate", help="write synthetic Dutch customer data")
    gen.add_argument("--entities", type=int, required=True, help="number of real customers")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--difficulty", choices=["easy", "medium", "hard"], default="medium")
    gen.add_argument("-o", "--output", type=Path, required=True, help="output folder")

    ev = sub.add_parser("evaluate", help="score a clustering against the truth")
    ev.add_argument("--clusters", type=Path, required=True, help="CSV: record_id, cluster_id")
    ev.add_argument("--truth", type=Path, required=True, help="CSV: record_id, entity_id")
    return parser


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    try:
        return pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""])
    except UnicodeDecodeError:
        return pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""],
                           encoding="cp1252")


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

    metrics = evaluate_clusters(_read_csv(args.clusters), _read_csv(args.truth))
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v)
                      for k, v in metrics.to_dict().items()}, indent=2))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from custmatch.demo import run_demo

    print(run_demo(output=args.output))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``custmatch`` command on ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Example:
        >>> main(["generate", "--entities", "-1", "-o", "/tmp/never"])
        2
    """
    args = _parser().parse_args(argv)
    commands = {"demo": _cmd_demo, "generate": _cmd_generate, "evaluate": _cmd_evaluate}
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
