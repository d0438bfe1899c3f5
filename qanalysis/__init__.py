"""qanalysis: were the quantified 2022 targets of Hangzhou's 2018 quality policy likely to be met?

Data flows one way: registry + raw -> processed -> forecasts -> assessment -> views.
Each step is one module or a few, one job each:
- registry and units: targets, units
- raw -> processed: sheets, cells, headers, layouts, loaders, build, coverage, template
- forecasts: models, select, intervals, series_csv
- assessment: kinds, crosschecks, assess, wording, retrospective
- views: views, plots, fanchart, report, summary, benchmark, explore, notebooks, cli
"""

__version__ = "0.1.0"
