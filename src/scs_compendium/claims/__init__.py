"""The claims of the article: the registry (:mod:`.registry`), the rules (:mod:`.rules`) and the
verdicts on the results (:mod:`.verdicts`)."""

from .registry import MEANING, VERDICTS, Claim, Reading, load_registry, reported_values, section_key
from .rules import BASES, RESEARCH_STATUSES
from .verdicts import Assessment, assess, assess_all, assess_step

__all__ = ["BASES", "MEANING", "RESEARCH_STATUSES", "VERDICTS", "Claim", "Reading", "load_registry",
           "reported_values", "section_key", "Assessment", "assess", "assess_all", "assess_step"]
