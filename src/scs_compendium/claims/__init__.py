"""The claims of the article: the registry (:mod:`.registry`) and the verdicts on the results (:mod:`.verdicts`)."""

from .registry import CORROBORATION, RULES, VERDICTS, Claim, load_registry, reported_values, section_key
from .verdicts import Assessment, assess, assess_all, assess_step

__all__ = ["CORROBORATION", "RULES", "VERDICTS", "Claim", "load_registry", "reported_values", "section_key",
           "Assessment", "assess", "assess_all", "assess_step"]
