"""The article's theses (data/arguments.yaml): checked on load, and their support counted from the premises' verdicts."""

from __future__ import annotations

import pytest

from scs_compendium.claims import load_registry
from scs_compendium.claims.arguments import Argument, Premise, load_arguments, support
from scs_compendium.errors import ClaimsError

from ..conftest import REPO


def thesis(*premises: tuple[str, str]) -> Argument:
    return Argument("t", "section 9", "A thesis.", "words", "conclusion", tuple(Premise(c, r) for c, r in premises))


def test_support_counts_each_verdict_and_agrees_in_number():
    argument = thesis(("a", "for"), ("b", "for"), ("c", "for"), ("d", "for"), ("e", "for"), ("x", "against"))
    verdicts = {"a": "reproduced", "b": "partly reproduced", "c": "not reproduced", "d": "conflicting evidence",
                "e": "not checkable", "x": "partly reproduced"}
    found = support(argument, verdicts)
    assert (found["hold"], found["partly"], found["fail"], found["open"], found["undecided"]) == (1, 1, 1, 1, 1)
    assert found["share_holding"] == 0.2 and found["against_supported"] == 1
    assert found["text"].startswith("Of the 5 premises offered for it, 1 holds, 1 holds partly, 1 does not, 1 is open "
                                    "(conflicting or depending on a reading), 1 cannot be decided. Of 1 statement that "
                                    "speaks against it, 1 is supported by the evidence.")
    many = support(thesis(("a", "for"), ("b", "for")), {"a": "not reproduced", "b": "not reproduced"})
    assert many["text"].startswith("Of the 2 premises offered for it, 0 hold, 0 hold partly, 2 do not.")


def test_a_thesis_is_never_reproduced_even_when_every_premise_holds():
    found = support(thesis(("a", "for")), {"a": "reproduced"})
    assert found["share_holding"] == 1.0 and "not a verdict" in found["text"] and "verdict" not in found


def test_every_premise_of_the_real_arguments_names_a_registered_claim():
    claims = {c.id for c in load_registry(REPO)}
    arguments = load_arguments(REPO, claims)
    assert len(arguments) >= 10 and all(p.claim in claims for a in arguments for p in a.premises)
    assert {a.kind for a in arguments} <= {"finding", "conclusion", "premise of the article"}


@pytest.mark.parametrize(("premise", "message"), [
    ("{claim: no-such-claim, role: for}", r"argument 'a1', premise #1: claim 'no-such-claim' is not in data/claims.yaml"),
    ("{claim: fn1-state-council-2014-outline}", r"argument 'a1', premise #1: role None is not one of \['for', 'against'\]"),
    ("{claim: fn1-state-council-2014-outline, role: maybe}", r"premise #1: role 'maybe' is not one of"),
    ("fn1-state-council-2014-outline", r"premise #1: a premise is a mapping \{claim, role, note\?\}"),
], ids=["unknown-claim", "no-direction", "bad-direction", "not-a-mapping"])
def test_a_bad_premise_is_refused_naming_the_argument_and_the_claim(tmp_path, premise, message):
    (tmp_path / "data").mkdir()
    (tmp_path / "data/arguments.yaml").write_text(
        "arguments:\n- id: a1\n  where: section 9\n  thesis: T\n  article_quote: Q\n  kind: conclusion\n"
        f"  premises:\n  - {premise}\n", encoding="utf-8")
    claims = {c.id for c in load_registry(REPO)}
    with pytest.raises(ClaimsError, match=message):
        load_arguments(tmp_path, claims)
