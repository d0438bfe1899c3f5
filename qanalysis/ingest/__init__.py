"""Ingest: raw bureau tables -> processed data. Opening files safely (`sheets`), reading cells (`cells`), finding a
table's header (`headers`), layout records (`layouts`), the one generic reader (`tables`), the range check
(`values`), the fill-in template (`template`), the build with its coverage report (`build`, `coverage`), and reading
processed or hand-made tidy files back (`processed`, `series`)."""
