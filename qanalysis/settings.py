"""Where the project's files live. No side effects on import: nothing is created or read here."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
PROCESSED = ROOT / "data" / "processed"
REGISTRY = RAW / "targets" / "hangzhou-2018-27.yaml"
POLICY_TEXT = RAW / "policy" / "hangzhou-2018-27.txt"
LAYOUTS = RAW / "layouts.yaml"
SOURCES = RAW / "sources.csv"
NOTEBOOKS = ROOT / "notebooks"
BENCHMARKS = ROOT / "benchmarks"
RESULTS = BENCHMARKS / "RESULTS.md"
