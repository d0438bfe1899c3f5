"""Forecasts: candidate models for short yearly series (`models`), the tiered engine that picks or combines them
(`engine`), the calibrated error model, bands and sample paths (`intervals`), and what the engine did (`notes`)."""
