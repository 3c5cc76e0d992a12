"""The claims of the article: the registry (:mod:`.registry`) and the parts of its claims (:mod:`.parts`), the rules
(:mod:`.rules`), the evidence rule (:mod:`.evidence`), the verdicts on the results (:mod:`.verdicts`) and the
agreement of two readings (:mod:`.agreement`)."""

from .parts import Part, Reading
from .registry import MEANING, VERDICTS, Claim, load_registry, reported_values, section_key
from .rules import BASES
from .verdicts import Assessment, assess, assess_all, assess_step

__all__ = ["BASES", "MEANING", "VERDICTS", "Claim", "Part", "Reading", "load_registry", "reported_values", "section_key",
           "Assessment", "assess", "assess_all", "assess_step"]
