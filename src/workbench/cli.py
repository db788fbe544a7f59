"""Command line: ``workbench validate``, ``workbench demo`` and ``workbench run``.

``--data`` is a folder, a database URL or a Parquet path or glob; ``--mapping`` names the
mapping for it and ``--engine`` (duckdb, spark) where a file or lake source is aggregated.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_DATA = 0, 1, 2

#: ``--engine`` values (the same as :data:`workbench.engine.sources.ENGINES`, kept here so the
#: command line parses without importing the engines).
ENGINE_CHOICES = ("duckdb", "spark")


def _source_arguments(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """``--data``, ``--mapping`` and ``--engine``: where the data lives and what aggregates it."""
    parser.add_argument("--data", required=required, default=None, metavar="SOURCE",
                        help="a data folder, a database URL (postgresql://user@host:5432/db"
                             "?schema=crm, duckdb:///path/file.duckdb) or a Parquet file, "
                             "folder or glob (lake/orders/*.parquet)")
    parser.add_argument("--mapping", default=None, metavar="FILE",
                        help="mapping file for the source (default: the folder's own "
                             "mapping.yaml); its tables: section names each source table")
    parser.add_argument("--engine", choices=ENGINE_CHOICES, default=None,
                        help="where file and Parquet sources are aggregated (default duckdb); "
                             "a database source aggregates in its database")


def _cmd_validate(args: argparse.Namespace) -> int:
    from workbench.io import DataError
    from workbench.report import source_display, without_password
    from workbench.runner import RunSetupError, load_checked

    try:
        dataset = load_checked(args.data, mapping=args.mapping, engine=args.engine or "duckdb")
    except RunSetupError as exc:
        print(f"workbench validate: {exc}", file=sys.stderr)
        return EXIT_DATA
    except DataError as exc:
        print(f"workbench validate: the data cannot be used.\n{exc}", file=sys.stderr)
        return EXIT_DATA
    except Exception as exc:  # noqa: BLE001 - a loader bug: one line, not a traceback
        message = (f"workbench validate: unexpected error while reading "
                   f"{source_display(args.data)}: {type(exc).__name__}: {exc}. This is a bug "
                   "in workbench; please report it with the file's first lines.")
        print(without_password(message, args.data), file=sys.stderr)
        return EXIT_FAILED
    print(dataset.quality.to_text())
    print("\nUsable: yes" + (" (with warnings)" if dataset.quality.warnings else ""))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from workbench.demo import generate_demo
    from workbench.io import DataError, load_dataset

    saas = args.kind == "saas"
    data = Path(args.data or ("data/demo_saas" if saas else "data/demo"))
    if saas:
        args.out_default = "reports/demo_saas"
    marker = data / ("subscriptions.csv" if saas else "transactions.csv")
    if (args.force or not marker.exists()) and saas:
        from workbench.demo_saas import generate_saas_demo

        generate_saas_demo(data, accounts=args.customers or 2000, seed=args.seed)
        if not args.quiet:
            print(f"SaaS demo data: {args.customers or 2000:,} accounts in {data}")
    elif args.force or not marker.exists():
        truth = generate_demo(data, customers=args.customers or 20_000, seed=args.seed,
                              campaigns=True)
        if not args.quiet:
            print(f"Demo data: {truth.n_customers:,} customers, "
                  f"{truth.n_transactions:,} transaction lines and 3 campaigns in {data}")
    elif not args.quiet:
        print(f"Demo data already in {data} (use --force to regenerate)")
    if args.month_earlier:
        from workbench.demo import month_earlier

        cutoff = month_earlier(data, args.month_earlier)
        if not args.quiet:
            print(f"Demo data as of {cutoff} (30 days earlier) in {args.month_earlier}")
    if args.data_only:
        try:
            dataset = load_dataset(data)
        except DataError as exc:  # pragma: no cover - the generator's own output
            print(f"workbench demo: generated data failed validation:\n{exc}", file=sys.stderr)
            return EXIT_DATA
        if not args.quiet:
            print(dataset.quality.to_text())
        return EXIT_OK
    # The runner loads and validates the data once for all notebooks (and exits 2 on problems).
    from workbench.runner import run_from_args

    return run_from_args(args, data_dir=str(data))


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default=None, help="output folder for reports, exports, metrics")
    parser.add_argument("--notebooks", default=None,
                        help="comma-separated topics, e.g. overview,data_quality (default: all)")
    parser.add_argument("--lang", choices=("en", "zh"), default=None, help="report language")
    parser.add_argument("--as-of", dest="as_of", default=None,
                        help="analysis date YYYY-MM-DD (default: last date in the data)")
    parser.add_argument("-p", "--parameter", dest="parameters", action="append", default=[],
                        metavar="KEY=VALUE", help="notebook parameter (repeatable)")
    parser.add_argument("--config", default=None, help="run.yaml with the same settings")
    parser.add_argument("--jobs", type=int, default=None,
                        help="notebooks run in parallel (default: one per core, as many as "
                             "the available memory holds for this data)")
    parser.add_argument("--seed", type=int, default=None, help="random seed for the analyses")
    parser.add_argument("--quiet", action="store_true", help="print only errors (for cron)")
    parser.add_argument("--previous", default=None, metavar="OLD_OUTDIR",
                        help="an earlier run's output folder: write exports/changes.csv and a "
                             "'since the last run' section")
    parser.add_argument("--health-drop", dest="health_drop", type=float, default=None,
                        metavar="POINTS",
                        help="with --previous: list a high-value customer whose health score "
                             "(0-100) fell by more than POINTS (default 10)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="load a data source and print its quality report")
    _source_arguments(validate, required=True)
    validate.set_defaults(func=_cmd_validate)

    demo = sub.add_parser("demo", help="generate demo data and render the reports on it")
    demo.add_argument("--kind", choices=("retail", "saas"), default="retail",
                      help="retail shop with campaigns (default) or B2B SaaS subscriptions")
    demo.add_argument("--data", default=None,
                      help="where the demo data goes (default data/demo, data/demo_saas)")
    demo.add_argument("--data-only", action="store_true", help="only generate the data")
    demo.add_argument("--customers", type=int, default=None,
                      help="customers (retail, default 20,000) or accounts (saas, default 2,000)")
    demo.add_argument("--force", action="store_true", help="regenerate even if present")
    demo.add_argument("--month-earlier", dest="month_earlier", default=None, metavar="DIR2",
                      help="also write DIR2: the demo data as it was 30 days before its last "
                           "day (an EARLIER snapshot to run and pass as --previous)")
    _add_run_arguments(demo)
    demo.set_defaults(func=_cmd_demo, out_default="reports/demo")

    run = sub.add_parser("run", help="execute the report notebooks into HTML reports")
    _source_arguments(run)
    _add_run_arguments(run)
    run.set_defaults(func=lambda a: __import__("workbench.runner").runner.run_from_args(a))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "seed", None) is None and args.command == "demo":
        args.seed = 0
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
