"""Report: what the reader sees. The house style (`style`), every reader-facing word (`labels`), the fan chart
(`fanchart`), the charts over all targets (`overview`), the Excel scorecard (`excel`), the one-page summary
(`summary`), the briefing pack (`pack`), the notebooks' screen tables (`tables`), the what-if explorer (`explore`),
the benchmark evidence (`evidence`) and the notebook runner (`notebooks`)."""
