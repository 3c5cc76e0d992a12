"""scs-compendium: a reproducible compendium for Bloch (2022) on China's social credit system.

The package is laid out as the chain runs (see ARCHITECTURE.md):

- :mod:`.engine` runs notebooks (spec, parameters, plan, run, kernel, step context, store);
- :mod:`.sources` loads and validates the data (data package, tables, Google Trends);
- :mod:`.article` holds the article's arguments, one module per step;
- :mod:`.claims` holds the registry of the article's claims and their verdicts;
- :mod:`.outputs` makes what people see (figure style, report, paper);
- :mod:`.chain` puts them together for the `scs` command (:mod:`.cli`).
"""

__version__ = "0.1.0"

from .errors import CompendiumError  # noqa: E402

__all__ = ["CompendiumError", "step_context", "__version__"]


def step_context(name: str, namespace, root=None):
    """The context of step `name`; a notebook passes its `globals()` (see :mod:`.engine.context`)."""
    from .engine.context import step_context as make

    return make(name, namespace, root)
