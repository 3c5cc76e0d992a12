"""The chain engine: it runs notebooks and knows nothing of the article.

`spec` reads `pipeline.yaml`; `params` checks parameters; `plan` decides from
content hashes what must rerun (pure); `run` locks, schedules and publishes;
`kernel` runs one notebook with papermill in its own process; `context` is what a
notebook uses (parameters, results, figures); `store` writes files atomically.
"""
