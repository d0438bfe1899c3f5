"""qanalysis: were the quantified 2022 targets of Hangzhou's 2018 quality policy likely to be met?

Data flows one way: registry + raw -> processed -> forecasts -> assessment -> views.
Each step is one module: targets, units, loaders, build, models, select, assess, plots, report, cli.
"""

__version__ = "0.1.0"
