"""The last step: the article's arguments, each thesis with the verdicts of the claims it rests on.

It assesses every claim of the registry on the results of the steps before it, then, for each thesis of
`data/arguments.yaml`, counts its premises by verdict (`claims.arguments.support`). It draws the
argument map: one row per thesis, its premises as marks coloured (and shaped) by verdict.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from .claims import assess_all, load_registry
from .claims.arguments import load_arguments, support
from .engine.spec import load_pipeline


def analyse(root: Path | str) -> dict:
    """Every thesis with its premises' verdicts and the support they give it."""
    pipeline = load_pipeline(root)
    claims = load_registry(pipeline.root, pipeline)
    verdicts = {a.claim.id: a.verdict for a in assess_all(pipeline)}
    arguments = load_arguments(pipeline.root, {c.id for c in claims})
    premised = {p.claim for a in arguments for p in a.premises}
    shown = []
    for argument in arguments:
        shown.append({"id": argument.id, "where": argument.where, "thesis": argument.thesis,
                      "article_quote": argument.article_quote, "kind": argument.kind,
                      "premises": [{"claim": p.claim, "role": p.role, "note": p.note, "verdict": verdicts[p.claim]}
                                   for p in argument.premises],
                      "support": support(argument, verdicts)})
    return {"arguments": shown, "count": len(shown), "claims": len(claims),
            "claims_in_arguments": len(premised), "claims_outside_arguments": sorted(set(verdicts) - premised)}


def findings(analysis: dict) -> str:
    """Each thesis with its computed support, as Markdown rendered from the analysis (never typed)."""
    from .outputs.formatting import escape_markdown as esc

    lines = [f"- {analysis['count']} theses rest on {analysis['claims_in_arguments']} of the registry's "
             f"{analysis['claims']} claims."]
    for argument in analysis["arguments"]:
        lines.append(f"- **{esc(argument['thesis'])}** ({esc(argument['where'])}): {esc(argument['support']['text'])}")
    return "\n".join(lines)


def plot_map(analysis: dict, ax) -> None:
    """The argument map: a row per thesis, each premise a mark coloured and shaped by its verdict."""
    from matplotlib.lines import Line2D

    from .outputs.style import verdict_colours

    colours = verdict_colours()
    markers = {"reproduced": "o", "partly reproduced": "D", "not reproduced": "X", "conflicting evidence": "s",
               "depends on reading": "P", "consistent": "o", "inconsistent": "X", "not checkable": "v",
               "not searched": "^", "needs data": "h", "pending": "h"}
    seen = set()
    for y, argument in enumerate(analysis["arguments"]):
        for x, premise in enumerate(argument["premises"]):
            verdict = premise["verdict"]
            seen.add(verdict)
            ax.scatter(x, y, s=26, marker=markers.get(verdict, "o"), color=colours.get(verdict, "0.5"),
                       edgecolors="0.2" if premise["role"] == "for" else "#b2182b", linewidths=0.5 if premise["role"] == "for" else 1.2)
    labels = [textwrap.fill(f"{a['where']}: {a['thesis']}", 58) for a in analysis["arguments"]]
    ax.set_yticks(range(len(labels)), labels, fontsize=6)
    ax.invert_yaxis()
    ax.set_xlabel("premises (claims of the registry), in the order the thesis lists them")
    ax.set_xticks([])
    handles = [Line2D([], [], ls="", marker=markers[v], color=colours[v], markeredgecolor="0.2", label=v)
               for v in colours if v in seen]
    handles.append(Line2D([], [], ls="", marker="o", color="white", markeredgecolor="#b2182b", markeredgewidth=1.2,
                          label="speaks against the thesis"))
    ax.legend(handles=handles, frameon=False, fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
