"""The article's arguments: one module per step of `pipeline.yaml`, named as the step and its notebook.

Each module's `analyse(data..., **parameters)` takes exactly its step's declared
parameters; `stats` holds what several arguments share. The modules read data
through :mod:`scs_compendium.sources` and draw in the house style of
:mod:`scs_compendium.outputs.style`; they never import the engine, the claims or
the report.
"""
