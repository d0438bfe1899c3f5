"""The `qanalysis` command line: thin wrappers that parse arguments and call one library function each.

Bad input ends with one line per problem on stderr naming the file, sheet and cell (or record) and exit code 2,
never a traceback: the users are analysts, and the message is what they must fix. Only `InputError` is caught that
way; anything else is a bug, reported in one line as an internal error with exit code 1 (its traceback under -v).
`-v` shows what the engine did (its log), `-vv` everything.
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
from .outputs import Terminated, check_output, refuse_inputs, write_file, writing
from .text import spreadsheet_safe
from .workspace import DEFAULT_REFERENCE, ENV, Workspace, current


def _workspace(args: argparse.Namespace) -> Workspace:
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
          f"{ws.raw / 'sources.csv'}, then run: .venv/bin/qanalysis check --workspace {ws.root}")


def _check(args: argparse.Namespace) -> None:
    from .ingest.check import check

    print(check(_workspace(args), use_reference=not args.no_reference))


def _protected(args: argparse.Namespace) -> dict[str, Path | None]:
    """Inputs no output may touch, whatever the command: the workspace's raw folder, every reference workspace's raw
    folder and registry (the project's committed inputs), and the processed data of every reference workspace but
    the one the command works in (only its own build writes them). A workspace that cannot be read protects nothing
    here; the command's own inputs are checked where they are used."""
    from .workspace import reference_workspaces

    found: dict[str, Path | None] = {}
    try:
        here = current(getattr(args, "workspace", None))
        found["the workspace's raw folder"] = here.raw
        for ws in reference_workspaces():
            found[f"the raw folder of the reference workspace {ws.id}"] = ws.raw
            found[f"the registry of the reference workspace {ws.id}"] = ws.registry
            if ws.root.resolve() != here.root.resolve():
                found[f"the processed data of the reference workspace {ws.id}"] = ws.processed
    except InputError:
        pass
    return found


def _build(args: argparse.Namespace) -> None:
    from .ingest.build import build

    ws = _workspace(args)
    out = Path(args.out) if args.out else ws.processed
    refuse_inputs(out, _protected(args), folder=True)
    result = build(raw_dir=Path(args.raw) if args.raw else ws.raw, out_dir=out, registry_path=_registry_path(args),
                   reference=None if args.no_reference else ws.reference, force=args.force)
    print(result.summary())


def _template(args: argparse.Namespace) -> None:
    from .ingest.template import write_template
    from .registry import load_registry

    registry_path = _registry_path(args)
    out = check_output(args.out, "template", {**_protected(args), "the registry": registry_path}, force=args.force)
    registry = load_registry(registry_path)
    with writing(out):
        write_template(registry, out)
    print(f"wrote {out}")


def _forecast(args: argparse.Namespace) -> None:
    from .forecast.batch import default_jobs, forecast_file

    if not 1 <= args.horizon <= MAX_HORIZON:
        raise InputError(f"--horizon: expected a whole number of years from 1 to {MAX_HORIZON}, found {args.horizon}")
    out = check_output(args.out, "forecast", {**_protected(args), "the data file": Path(args.data)}, force=args.force)
    jobs = default_jobs() if args.jobs is None else args.jobs
    if jobs < 1:
        raise InputError(f"--jobs: expected a number of processes of at least 1, found {jobs}")
    with writing(out):  # the lock, SIGTERM and disk errors as for every output; the file itself is replaced whole
        run = forecast_file(Path(args.data), out, horizon=args.horizon, seed=args.seed, jobs=jobs,
                            progress=not args.no_progress)
    print(run.summary())
    print(f"wrote {out} ({run.rows} rows)")


def _assess(args: argparse.Namespace) -> None:
    from .assessment.assess import assess, contract_columns
    from .ingest.processed import conform, read_indicators
    from .registry import load_registry

    registry_path, data_path = _registry_path(args), _data_path(args)
    inputs = {**_protected(args), "the data file": data_path, "the registry": registry_path}
    out = check_output(args.out, "assess", inputs, force=args.force)
    registry = load_registry(registry_path)
    data = conform(read_indicators(data_path, registry.units), registry)
    table = assess(registry, data, as_of=args.as_of, seed=args.seed)
    _write_csv(table if args.all_columns else table[contract_columns()], out)


def _report(args: argparse.Namespace) -> None:
    from .report.pack import make_report

    out = Path(args.out) if args.out else _workspace(args).briefings / f"briefing-{args.as_of}-{args.lang}"
    refuse_inputs(out, _protected(args), folder=True)
    for path in make_report(as_of=args.as_of, out_dir=out, data_path=_data_path(args),
                            registry_path=_registry_path(args), seed=args.seed, lang=args.lang, force=args.force):
        print(f"wrote {path}")


def _notebooks(args: argparse.Namespace) -> None:
    from . import workspace
    from .report.notebooks import refresh, run_copies

    ws = workspace.current(args.workspace)
    if args.refresh:
        given = [flag for flag, value in (("--as-of", args.as_of), ("--lang", args.lang), ("--out", args.out))
                 if value is not None]
        if given:
            raise InputError(f"--refresh runs the committed notebooks with their own parameters; "
                             f"it takes no {', '.join(given)}")
        for path in refresh(ws, folder=Path(args.dir), only=args.only, timeout=args.timeout):
            print(f"refreshed {path}")
        return
    out = run_copies(ws, as_of=args.as_of, lang=args.lang, out=None if args.out is None else Path(args.out),
                     folder=Path(args.dir), only=args.only, timeout=args.timeout)
    print(f"wrote {out}")


def _write_csv(table: pd.DataFrame, out: Path) -> None:
    """UTF-8 with a byte-order mark, so Excel on Chinese Windows opens the Chinese text correctly; text a spreadsheet
    would run as a formula (a series named "=HYPERLINK(...)") neutralised (text.spreadsheet_safe); whole or not at
    all (outputs.write_file)."""
    text_columns = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    safe = table.assign(**{c: table[c].map(spreadsheet_safe) for c in text_columns})
    with writing(out):
        write_file(out, safe.to_csv(index=False, lineterminator="\n").encode("utf-8-sig"))
    print(f"wrote {out} ({len(table)} rows)")


MAX_HORIZON = 50  # years ahead: far beyond any policy's horizon, and small enough that a typo cannot exhaust memory
MAX_SEED = 2**32 - 1  # numpy's seed range


def _seed(text: str) -> int:
    """--seed as numpy accepts it, refused in the analyst's words otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_SEED}, found {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_SEED}, found {value}")
    return value


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
    p.add_argument("--force", action="store_true",
                   help="replace the output folder even if it was not written by this command (everything in it goes)")

    p = command("template", "write a bureau-style workbook for every registered indicator, to fill in", _template)
    p.add_argument("--out", required=True, help="the .xlsx file to write (never inside a raw folder)")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")

    p = command("forecast", "forecast any series,year,value CSV", _forecast, workspace=False, targets=False)
    p.add_argument("--data", required=True, help="CSV with columns series,year,value")
    p.add_argument("--horizon", type=int, required=True, help="years to forecast after each series' last year")
    p.add_argument("--out", required=True, help="CSV: series,year,mean,lo80,hi80,lo95,hi95,model,notes")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.add_argument("--seed", type=_seed, default=0, help="seed of the sample paths (default 0)")
    p.add_argument("--jobs", type=int, metavar="N", help="processes forecasting at once (default: every core; "
                   "1 runs in this process); the output is the same whatever N")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")

    p = command("assess", "P(meet) and status of every target, seeing only years <= --as-of", _assess)
    p.add_argument("--as-of", type=int, required=True, help="the vintage: only values for years <= this are used")
    p.add_argument("--data", metavar="FILE", help="tidy CSV indicator,year,value,unit,source (default: the "
                   "workspace's processed/indicators.csv)")
    p.add_argument("--out", required=True, help="CSV with the assessment contract columns")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.add_argument("--seed", type=_seed, default=0, help="seed of the sample paths (default 0)")
    p.add_argument("--all-columns", action="store_true", help="also write the official cross-check columns")

    p = command("report", "the briefing pack: index.html, a one-page PDF, the summary, the Excel scorecard and the charts (PNG, SVG)", _report)
    p.add_argument("--as-of", type=int, required=True, help="the vintage of the briefing")
    p.add_argument("--out", metavar="DIR", help="output folder (default: the workspace's briefings/briefing-YEAR-LANG)")
    p.add_argument("--data", metavar="FILE", help="tidy indicators CSV (default: the workspace's processed data)")
    p.add_argument("--lang", type=Lang, choices=list(Lang), default=Lang.ZH, help="language of the pack (default zh)")
    p.add_argument("--seed", type=_seed, default=0, help="seed of the sample paths (default 0)")
    p.add_argument("--force", action="store_true",
                   help="replace the output folder even if it was not written by this command (everything in it goes)")

    p = command("notebooks", "run the numbered notebooks on a workspace: executed copies + HTML in its runs folder",
                _notebooks, targets=False)
    p.description = ("Execute the numbered notebooks in order with papermill, injecting WORKSPACE, AS_OF and LANG, and "
                     "write each executed copy and its HTML export to <workspace runs>/as-of-<Y>-<lang>/ (or --out). "
                     "The committed notebooks are only read. The folder is replaced only when every notebook "
                     "succeeded; a failing cell is named and nothing is written. --refresh instead re-executes the "
                     "committed notebooks in place against the reference workspace (data/), as `make notebooks` does "
                     "after a code change, so that nbval checks fresh outputs.")
    p.add_argument("--as-of", type=int, metavar="Y", help="the vintage AS_OF injected into every notebook (default: the notebooks' own AS_OF)")
    p.add_argument("--lang", type=Lang, choices=list(Lang), help="language LANG injected (default: the notebooks' own LANG)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: <workspace runs>/as-of-<Y>-<lang>); replaced as a whole")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="run only this notebook (file name, stem or number, e.g. 30_environment or 30); repeatable")
    p.add_argument("--refresh", action="store_true",
                   help="re-execute the committed notebooks in place with their own parameters (reference workspace only)")
    p.add_argument("--dir", default=str(settings.NOTEBOOKS), help="folder of numbered notebooks (default: notebooks/)")
    p.add_argument("--timeout", type=int, default=600, metavar="S", help="seconds per cell (default 600)")
    return parser


def _logging(verbose: int) -> None:
    """Quiet by default (warnings only); -v shows the engine's notes and choices, -vv every library's debug log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.WARNING, handlers=[handler], force=True)
    if verbose == 1:
        logging.getLogger(__package__ or "qanalysis").setLevel(logging.DEBUG)


def main(argv: list[str] | None = None) -> int:
    """Run one command. An InputError (bad input the analyst must fix, or a disk it cannot write) becomes one stderr
    line per problem and exit code 2; Ctrl-C and SIGTERM (while writing) one line and 130 or 143, the outputs
    complete or as they were. Any other exception is a bug: one line naming it and exit code 1, with the traceback
    under -v, because a page of traceback tells an analyst nothing and hides the one line they could send us."""
    args = _parser().parse_args(argv)
    _logging(args.verbose)
    try:
        args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as exc:
        name, code = ("SIGTERM", 143) if isinstance(exc, Terminated) else ("Ctrl-C", 130)
        print(f"error: stopped by {name}; every output is either complete or as it was before", file=sys.stderr)
        return code
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, reported, never a raw traceback
        import traceback

        what = " ".join(str(exc).split())
        if args.verbose:
            traceback.print_exc(file=sys.stderr)
        hint = "" if args.verbose else "; run with -v to see the traceback"
        print(f"qanalysis: internal error: {type(exc).__name__}: {what}{hint}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
