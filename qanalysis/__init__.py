"""qanalysis: which quantified targets of a policy will be met, and which will not?

Data flows one way, one sub-package per stage (docs/architecture.md):

    registry + raw  ->  ingest  ->  forecast  ->  assessment  ->  report
    (registry, units)   (read bureau    (models,     (P(meet), status,   (charts, Excel, summary,
                         tables, build   engine,      cross-checks,       screen tables, explorer,
                         processed data) intervals)   wording, outcomes)  briefing pack, notebooks)

At the top: `registry` (the targets), `units`, `settings` (where files live), `lang` (zh / en), `text` (display
width, years, probabilities), `outputs` (deterministic file writing), `errors` and the `cli`. A stage imports only
the stages before it and the top-level modules; tests/test_architecture.py checks that with import-linter.
"""

__version__ = "0.1.0"
