"""scs-compendium: a reproducible compendium for Bloch (2022) on China's social credit system.

The package holds the logic the notebooks call: data loading and validation
(:mod:`.data`), the chain of notebooks (:mod:`.pipeline`, :mod:`.runner`), the
step context that writes results and figures (:mod:`.step`), the claims
registry and report (:mod:`.claims`) and the statistics of each argument.
"""

__version__ = "0.1.0"

from .errors import CompendiumError  # noqa: E402

__all__ = ["CompendiumError", "StepContext", "step_context", "__version__"]


def step_context(name: str, **parameters):
    """The context of step `name` with the notebook's parameter values (see :mod:`.step`)."""
    from .step import StepContext

    return StepContext(name, **parameters)


def __getattr__(name: str):
    # The plotting stack loads only when a notebook needs it, so `scs run` starts fast.
    if name == "StepContext":
        from .step import StepContext

        return StepContext
    raise AttributeError(name)
