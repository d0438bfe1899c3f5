"""The MDG retrospective: each vintage's P(meet) for MDG 4.A and 5.A by country (examples/mdg) against the outcomes,
beside three baselines.

Why: the Hangzhou policy has too few published outcomes to say whether the suite's probabilities are any good. The
MDGs have 190 targets (95 countries, two goals) with published 1990-2015 series and published 2015 outcomes, so the
calls made as of the launch (2000) and later vintages can be scored. Each vintage's P(meet) is set beside a Gaussian
random walk with drift (the drift baseline of benchmarks/accuracy.py), the Eurostat / Open SDG ratio category read as
a call, and the base rate (qanalysis.assessment.retrospective.baselines).

The caveat the numbers carry: the series are the 2015 estimate rounds (UN IGME, UN MMEIG), so the "as of 2000"
history is a back-estimate made in 2015, not what an analyst saw in 2000, and the outcome comes from the same model
run. These are hindsight vintages: they test the forecasting method on real trajectories, not what was knowable.

Run from the repository root: `.venv/bin/python benchmarks/mdg_retrospective.py [--no-write]`. The section between
the `mdg-retrospective` markers of benchmarks/RESULTS.md is rewritten; other sections are kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy import md_table  # noqa: E402

from qanalysis import settings  # noqa: E402
from qanalysis.assessment import retrospective  # noqa: E402
from qanalysis.assessment.assess import assess_vintages  # noqa: E402
from qanalysis.report.evidence import write_section  # noqa: E402  (the one RESULTS.md format)
from qanalysis.report.pack import load_inputs  # noqa: E402
from qanalysis.workspace import load_workspace  # noqa: E402

SECTION = "mdg-retrospective"
WORKSPACE = settings.ROOT / "examples" / "mdg"
SEED = 0


def compute(seed: int = SEED):
    """The baseline table and its scores (overall and by goal), and the seconds the assessment took. The vintages
    are the retrospective's default ones (retrospective.vintage_years): 2000, 2005, 2010 and 2014."""
    ws = load_workspace(WORKSPACE)
    inputs = load_inputs(ws.indicators, ws.registry)
    vintages = retrospective.vintage_years(inputs.registry)
    start = time.perf_counter()
    assessed = assess_vintages(inputs.registry, inputs.data, vintages, seed)
    table = retrospective.baselines(inputs.registry, inputs.data, vintages, seed, vintages=assessed)
    return table, retrospective.baseline_scores(table), retrospective.baseline_scores(table, by="section"), \
        time.perf_counter() - start


def _row(r, lead: list) -> list:
    return lead + [r.targets, r.met, f"{r.brier_suite:.3f}", f"{r.brier_drift:.3f}", f"{r.brier_ratio:.3f}",
                   f"{r.brier_base:.3f}", f"{r.right_suite}/{r.calls_suite}", f"{r.right_drift}/{r.calls_drift}",
                   f"{r.right_ratio}/{r.calls_ratio}"]


HEAD = ["targets", "met", "Brier: suite", "drift (Gaussian)", "ratio call", "base rate", "calls right: suite",
        "drift", "ratio"]


def render(table, scores, by_goal, seconds: float) -> str:
    launch = scores.iloc[0]
    p_base = float(table["p_base"].iloc[0])
    lines = [
        "## MDG retrospective (examples/mdg)",
        "",
        "Command: `.venv/bin/python benchmarks/mdg_retrospective.py`",
        "",
        f"MDG 4.A (under-five mortality down by two thirds, 1990-2015) and 5.A (maternal mortality down by three "
        f"quarters) for {table['target'].nunique()} targets in {table['target'].str.split('_').str[1].nunique()} "
        f"countries (examples/mdg/raw/README.md): each vintage's P(meet) from the values up to that year, scored "
        f"against the 2015 outcome, beside three baselines on the same targets: a Gaussian random walk with drift "
        f"fitted to the same history (benchmarks/accuracy.py's drift baseline), the Eurostat / Open SDG ratio "
        f"category as a call (on track = met, any other computed category = missed; its Brier score is its error "
        f"rate) and the base rate ({p_base:.3f}, the share met: known only in hindsight). Calls: a flag (P <= 1/3) "
        f"calls missed, likely or very likely (P >= 2/3) calls met, in between no call.",
        "",
        "**Hindsight caveat.** The series are the 2015 estimate rounds (UN IGME 2015, UN MMEIG 2015): the 1990-2000 "
        "history of the \"as of 2000\" vintage is a back-estimate made in 2015, smoother and better informed than what "
        "an analyst saw in 2000, and the 2015 outcome comes from the same model run. The scores test the method on "
        "real trajectories; they are not what a forecaster could have scored at the time.",
        "",
        "By vintage:",
        "",
        md_table(["as of", *HEAD], [_row(r, [r.as_of]) for r in scores.itertuples()]),
        "",
        "By goal:",
        "",
        md_table(["as of", "goal", *HEAD], [_row(r, [r.as_of, r.section]) for r in by_goal.itertuples()]),
        "",
        f"Launch vintage {int(launch.as_of)}, Brier to 6 decimals: suite {launch.brier_suite:.6f}; drift "
        f"{launch.brier_drift:.6f}; ratio call {launch.brier_ratio:.6f}; base rate {launch.brier_base:.6f}.",
        "",
        f"Assessing {len(scores)} vintages x {table['target'].nunique()} targets took {seconds:.1f} s (seed {SEED}).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print the section without writing RESULTS.md")
    args = parser.parse_args(argv)
    text = render(*compute())
    print(text)
    if not args.no_write:
        write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
