"""The `qanalysis` command line: thin wrappers that parse arguments and call one library function each.

Bad input ends with one line per problem on stderr naming the file, sheet and cell (or record) and exit code 2,
never a traceback: the users are analysts, and the message is what they must fix. Only `InputError` is caught that
way; anything else is a bug and keeps its traceback. `-v` shows what the engine did (its log), `-vv` everything.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from . import settings
from .errors import InputError
from .lang import Lang
from .workspace import DEFAULT_REFERENCE, ENV, Workspace


def _workspace(args: argparse.Namespace) -> Workspace:
    from .workspace import current

    return current(args.workspace)


def _registry_path(args: argparse.Namespace) -> Path:
    return Path(args.targets) if args.targets else _workspace(args).registry


def _data_path(args: argparse.Namespace) -> Path:
    return Path(args.data) if args.data else _workspace(args).indicators


def _init(args: argparse.Namespace) -> None:
    from .ingest.new_workspace import init_workspace

    default = None if args.targets else DEFAULT_REFERENCE  # another policy's registry stands alone unless told
    reference = None if args.no_reference else (args.reference or default)
    ws = init_workspace(Path(args.dir), registry=Path(args.targets) if args.targets else None, reference=reference)
    print(f"created workspace {ws.root}\nnext: fill in {ws.raw / 'bureau'} in Excel, add your sources to "
          f"{ws.raw / 'sources.csv'}, then run: qanalysis check --workspace {ws.root}")


def _check(args: argparse.Namespace) -> None:
    from .ingest.check import check

    print(check(_workspace(args), use_reference=not args.no_reference))


def _build(args: argparse.Namespace) -> None:
    from .ingest.build import build

    ws = _workspace(args)
    result = build(raw_dir=Path(args.raw) if args.raw else ws.raw, out_dir=Path(args.out) if args.out else ws.processed,
                   registry_path=_registry_path(args), reference=None if args.no_reference else ws.reference)
    print(result.summary())


def _template(args: argparse.Namespace) -> None:
    from .ingest.template import write_template
    from .registry import load_registry

    out = write_template(load_registry(_registry_path(args)), Path(args.out))
    print(f"wrote {out}")


def _forecast(args: argparse.Namespace) -> None:
    from .forecast.batch import default_jobs, forecast_file

    if args.horizon < 1:
        raise InputError(f"--horizon: expected a whole number of years of at least 1, found {args.horizon}")
    jobs = default_jobs() if args.jobs is None else args.jobs
    if jobs < 1:
        raise InputError(f"--jobs: expected a number of processes of at least 1, found {jobs}")
    run = forecast_file(Path(args.data), Path(args.out), horizon=args.horizon, seed=args.seed, jobs=jobs,
                        progress=not args.no_progress)
    print(run.summary())
    print(f"wrote {args.out} ({run.rows} rows)")


def _assess(args: argparse.Namespace) -> None:
    from .assessment.assess import assess, contract_columns
    from .ingest.processed import conform, read_indicators
    from .registry import load_registry

    registry = load_registry(_registry_path(args))
    data = conform(read_indicators(_data_path(args), registry.units), registry)
    table = assess(registry, data, as_of=args.as_of, seed=args.seed)
    _write_csv(table if args.all_columns else table[contract_columns()], Path(args.out))


def _report(args: argparse.Namespace) -> None:
    from .report.pack import make_report

    out = Path(args.out) if args.out else _workspace(args).briefings / f"briefing-{args.as_of}-{args.lang}"
    for path in make_report(as_of=args.as_of, out_dir=out, data_path=_data_path(args),
                            registry_path=_registry_path(args), seed=args.seed, lang=args.lang):
        print(f"wrote {path}")


def _notebooks(args: argparse.Namespace) -> None:
    from .report.notebooks import run_all

    run_all(Path(args.dir), timeout=args.timeout)


def _write_csv(table: pd.DataFrame, out: Path) -> None:
    """UTF-8 with a byte-order mark, so Excel on Chinese Windows opens the Chinese text correctly."""
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, lineterminator="\n", encoding="utf-8-sig")
    print(f"wrote {out} ({len(table)} rows)")


WORKSPACE_HELP = f"workspace folder (default: ${ENV}, else the project's data/)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qanalysis", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="show what the engine did (-v), or everything (-vv), on stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str, func, workspace: bool = True, targets: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if workspace:
            p.add_argument("--workspace", metavar="DIR", help=WORKSPACE_HELP)
        if targets:
            p.add_argument("--targets", metavar="FILE", help="target registry YAML (default: the workspace's)")
        p.set_defaults(func=func)
        return p

    p = command("init", "create an analyst workspace: a bureau template to fill in, sources.csv, a copy of the "
                "registry, folders for processed data, runs and briefings", _init, workspace=False)
    p.add_argument("dir", help="the new workspace folder (outside the project, or under its git-ignored workspaces/)")
    p.add_argument("--reference", metavar="ID",
                   help=f"the reference workspace to build on (default: {DEFAULT_REFERENCE}; none with --targets)")
    p.add_argument("--no-reference", action="store_true", help="stand alone: build from this workspace's data only")

    p = command("check", "check every workbook of a workspace and list all problems, grouped by file and sheet",
                _check, targets=False)
    p.add_argument("--no-reference", action="store_true", help="check without the reference layer")

    p = command("build", "raw bureau spreadsheets -> processed (indicators.csv, sources.csv, coverage, conflicts)",
                _build)
    p.add_argument("--raw", metavar="DIR", help="folder with sources.csv, bureau/ and layouts.yaml (default: the "
                   "workspace's raw/)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: the workspace's processed/)")
    p.add_argument("--no-reference", action="store_true",
                   help="build from this workspace's data alone, not on top of the reference data")

    p = command("template", "write a bureau-style workbook for every registered indicator, to fill in", _template)
    p.add_argument("--out", required=True, help="the .xlsx file to write")

    p = command("forecast", "forecast any series,year,value CSV", _forecast, workspace=False, targets=False)
    p.add_argument("--data", required=True, help="CSV with columns series,year,value")
    p.add_argument("--horizon", type=int, required=True, help="years to forecast after each series' last year")
    p.add_argument("--out", required=True, help="CSV: series,year,mean,lo80,hi80,lo95,hi95,model,notes")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample paths (default 0)")
    p.add_argument("--jobs", type=int, metavar="N", help="processes forecasting at once (default: every core; "
                   "1 runs in this process); the output is the same whatever N")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")

    p = command("assess", "P(meet) and status of every target, seeing only years <= --as-of", _assess)
    p.add_argument("--as-of", type=int, required=True, help="the vintage: only values for years <= this are used")
    p.add_argument("--data", metavar="FILE", help="tidy CSV indicator,year,value,unit,source (default: the "
                   "workspace's processed/indicators.csv)")
    p.add_argument("--out", required=True, help="CSV with the assessment contract columns")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample paths (default 0)")
    p.add_argument("--all-columns", action="store_true", help="also write the official cross-check columns")

    p = command("report", "the briefing pack: charts (PNG, SVG), Excel scorecard, one-page summary", _report)
    p.add_argument("--as-of", type=int, required=True, help="the vintage of the briefing")
    p.add_argument("--out", metavar="DIR", help="output folder (default: the workspace's briefings/briefing-YEAR-LANG)")
    p.add_argument("--data", metavar="FILE", help="tidy indicators CSV (default: the workspace's processed data)")
    p.add_argument("--lang", type=Lang, choices=list(Lang), default=Lang.ZH, help="language of the pack (default zh)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample paths (default 0)")

    p = command("notebooks", "execute every notebook in order, in place, with a progress bar", _notebooks,
                workspace=False, targets=False)
    p.add_argument("--dir", default=str(settings.NOTEBOOKS), help="folder of numbered notebooks")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    return parser


def _logging(verbose: int) -> None:
    """Quiet by default (warnings only); -v shows the engine's notes and choices, -vv every library's debug log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.WARNING, handlers=[handler], force=True)
    if verbose == 1:
        logging.getLogger(__package__ or "qanalysis").setLevel(logging.DEBUG)


def main(argv: list[str] | None = None) -> int:
    """Run one command. An InputError (bad input the analyst must fix) becomes one stderr line per problem and exit
    code 2; any other exception is a bug and keeps its traceback."""
    args = _parser().parse_args(argv)
    _logging(args.verbose)
    try:
        args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
