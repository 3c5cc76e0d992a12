"""What a reader sees of the robustness step: the sweeps, the claims with the share of their grids that agrees, the
decision table, the findings, the figure faceted by step and the specification curves (from its results)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..claims.verdicts import EVIDENCE_STEP
from ..engine.spec import load_pipeline


def shown_value(value: Any) -> str:
    """A parameter value as a column label shows it ('a+b' for a list)."""
    return "+".join(map(str, value)) if isinstance(value, list) else str(value)


def levels(rows: list, column: int) -> list:
    """The distinct values of a grid's column, in their order (lists are values too)."""
    seen: dict[str, Any] = {}
    for row in rows:
        seen.setdefault(repr(row[column]), row[column])
    return list(seen.values())


def sweep_table(root: Path | str):
    """Every swept parameter: its step, role, default, sweep and why a reader might choose it."""
    import pandas as pd

    return pd.DataFrame([{"step": s.name, "parameter": n, "role": p.role, "default": p.default, "sweep": list(p.sweep),
                          "why this range": p.sweep_why}
                         for s in load_pipeline(root).steps.values() for n, p in s.parameters.items() if p.sweep])


def claims_table(analysis: dict):
    """Every swept claim: its step, the run's verdict, the share of its grids that agree and its robustness."""
    import pandas as pd

    return pd.DataFrame([{"claim": cid, "grids": ", ".join(e["steps"]), "verdict as run": e["default"],
                          "agree": f"{e['agree']}/{e['variants']} ({e['share']:.0%})", "robustness": e["text"]}
                         for cid, e in analysis["claims"].items()])


def decision_table(analysis: dict):
    """For each decision alone (the others as the chain ran): how many verdicts change, and which."""
    import pandas as pd

    return pd.DataFrame([{"step": r["step"], "parameter = value": f"{r['parameter']} = {shown_value(r['value'])}",
                          "verdicts changed": r["changed"], "claims": ", ".join(r["claims"]) or "none"}
                         for r in analysis["decision_table"]])


def findings(analysis: dict) -> str:
    """The counts and every fragile verdict with why its range is reasonable, as Markdown rendered from the results."""
    from .formatting import escape_markdown as esc

    counts = analysis["counts"]
    grids = "; ".join(f"{name} {len(g['rows'])} ({work(g)})" for name, g in analysis["grids"].items())
    lines = [f"{counts['swept']} claims were evaluated over the full grids of their sweeps, {analysis['variants']} "
             f"variants in all ({grids}): {work(analysis)}. {counts['robust']} claims are robust (the run's "
             f"verdict in every variant), {counts['fragile']} are fragile, and for {counts['minority']} the run's "
             "verdict is the minority of its grid. An analysis or a verdict is reused from the last run when nothing "
             "it reads changed (its step's code, data, parameters as run and the upstream results it takes).", ""]
    for cid in analysis["fragile"]:
        entry = analysis["claims"][cid]
        why = "; ".join(f"{n}: {w}" for n, w in entry["sweep_why"].items())
        lines.append(f"- **{esc(cid)}**: {esc(entry['default'])} in {entry['share']:.0%} of its variants; "
                     f"{esc(entry['text'])}. Why these ranges: {esc(why)}.")
    return "\n".join(lines)


def work(counts: dict) -> str:
    """'12 analyses run, 0 reused; 6,120 verdicts evaluated, 0 reused' from a grid's (or the step's) counts."""
    return (f"{counts.get('analyses_run', 0):,} analyses run, {counts.get('analyses_reused', 0):,} reused; "
            f"{counts.get('verdicts_evaluated', 0):,} verdicts evaluated, {counts.get('verdicts_reused', 0):,} reused")


# --- figures ------------------------------------------------------------------------------------

def _alone(analysis: dict, step: str, claim_id: str) -> list[tuple[str, Any, str, bool]]:
    """(parameter, value, verdict, is the run's value) of each value of each swept parameter alone."""
    g = analysis["grids"][step]
    names, base = g["parameters"], g["as_run"]
    found = []
    for i, name in enumerate(names):
        for value in levels(g["rows"], i):
            target = [value if j == i else base[j] for j in range(len(names))]
            row = g["rows"].index(target)
            found.append((name, value, g["verdict_names"][g["verdicts"][claim_id][row]], value == base[i]))
    return found


def plot_robustness(analysis: dict):
    """One panel per step: its claims (rows) under each value of each swept parameter alone (columns 'parameter =
    value', the run's value outlined), coloured by verdict, with the share of the full grid that agrees at the right.
    The evidence panel, whose decisions move nearly every claim of outside data, shows those whose verdict as run is
    the minority of the evidence grid (every claim is in the results and on the claims page)."""
    from matplotlib.patches import Patch

    from .style import new_figure, verdict_colours

    panels = []
    for step, g in analysis["grids"].items():
        rows = sorted(c for c in g["verdicts"] if c in analysis["claims"] and (step != EVIDENCE_STEP or _minority(g, c)))
        if rows:
            panels.append((step, rows))
    colour = verdict_colours()
    figure, axes = new_figure("double", aspect=0.028 * sum(len(r) + 10 for _, r in panels),
                              nrows=len(panels), height_ratios=[len(r) + 10 for _, r in panels])
    for ax, (step, rows) in zip(list(getattr(axes, "flat", [axes])), panels):
        g, columns = analysis["grids"][step], None
        for y, claim_id in enumerate(rows):
            columns = _alone(analysis, step, claim_id)
            for x, (_, _, verdict, is_run) in enumerate(columns):
                ax.scatter(x, y, s=22, marker="s", color=colour[verdict], edgecolors="0.1" if is_run else "none",
                           linewidths=0.9)
            codes = g["verdicts"][claim_id]
            agree = sum(c == codes[g["rows"].index(g["as_run"])] for c in codes)
            minority = " minority" if agree * 2 < len(codes) else ""
            ax.annotate(f"{agree}/{len(codes)}{minority}", (1.0, y), xycoords=("axes fraction", "data"),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=6,
                        fontweight="bold" if minority else "normal")
        ax.set_yticks(range(len(rows)), rows, fontsize=6)
        ax.set_xticks(range(len(columns)), [f"{n} = {shown_value(v)}" for n, v, _, _ in columns], rotation=90,
                      fontsize=6)
        ax.set_xlim(-0.7, len(columns) - 0.3)
        ax.set_ylim(len(rows) - 0.4, -0.6)
        shown = (f"; the {len(rows)} of {sum(c in analysis['claims'] for c in g['verdicts'])} claims whose verdict as run "
                 "is the minority" if step == EVIDENCE_STEP else "")
        ax.set_title(f"{step}: {len(g['rows'])} variants{shown}; right: variants agreeing with the run", fontsize=6,
                     loc="left")
    shown = {v for g in analysis["grids"].values() for v in g["verdict_names"]}
    figure.legend(handles=[Patch(color=colour[v], label=v) for v in colour if v in shown] +
                  [Patch(facecolor="white", edgecolor="0.1", label="the value the run used")],
                  frameon=False, fontsize=6, loc="outside lower center", ncol=4)
    return figure


def _minority(g: dict, claim_id: str) -> bool:
    codes = g["verdicts"][claim_id]
    run = codes[g["rows"].index(g["as_run"])]
    return sum(c == run for c in codes) * 2 < len(codes)


def plot_specification_curve(analysis: dict, claim_id: str, ax_values, ax_choices) -> None:
    """A claim decided by a number: its value in every variant of its step's grid, sorted and coloured by verdict
    (above), with the parameter values that produced each (below); the run's value (dashed), the article's own figure
    (dotted, labelled 'article: ...', where the registry gives one that its rules compare with) and the threshold
    each variant compared it with (a dash per variant, for a swept parameter its rule names) marked."""
    from .style import ARTICLE_COLOUR, verdict_colours

    step = analysis["claims"][claim_id]["steps"][0]
    g = analysis["grids"][step]
    numbers, codes = g["numbers"][claim_id], g["verdicts"][claim_id]
    order = sorted((i for i, n in enumerate(numbers) if n is not None), key=lambda i: numbers[i])
    colour = verdict_colours()
    run = g["rows"].index(g["as_run"])
    ax_values.scatter(range(len(order)), [numbers[i] for i in order], s=6,
                      color=[colour[g["verdict_names"][codes[i]]] for i in order])
    if numbers[run] is not None:
        ax_values.axhline(numbers[run], color="0.3", lw=0.6, ls="--", label="the run's value")
    article = g.get("article", {}).get(claim_id)
    if article is not None:  # the article's own figure (or the ends of its range), as the registry gives it
        ends = article if isinstance(article, list) else [article]
        for k, value in enumerate(ends):
            ax_values.axhline(value, color=ARTICLE_COLOUR, lw=0.8, ls=":", label=None if k else article_label(article))
    names = g["parameters"]
    for name in g.get("thresholds", {}).get(claim_id, []):  # the threshold each variant compared with
        k = names.index(name)
        ax_values.scatter(range(len(order)), [g["rows"][i][k] for i in order], marker="_", s=40, color="0.1",
                          label=f"threshold ({name})")
    if ax_values.get_legend_handles_labels()[0]:
        ax_values.legend(frameon=False, fontsize=6, loc="best")
    ax_values.set_title(f"{claim_id} ({step})", fontsize=6, loc="left")
    ax_values.set_xticks([])
    labels = []
    for k, name in enumerate(names):
        values = levels(g["rows"], k)
        for x, i in enumerate(order):
            ax_choices.scatter(x, len(labels) + values.index(g["rows"][i][k]), s=2, color="0.2")
        labels += [f"{name} = {shown_value(v)}" for v in values]
    ax_choices.set_yticks(range(len(labels)), labels, fontsize=6)
    ax_choices.invert_yaxis()
    ax_choices.set_xlabel("variants, sorted by the claim's value", fontsize=6)


def article_label(article) -> str:
    """'article: 99' or 'article: 0.15-0.3' for the line of the article's own figure."""
    from ..claims.rules import fmt

    return "article: " + ("–".join(fmt(v) for v in article) if isinstance(article, list) else fmt(article))


def curve_claims(analysis: dict) -> list[str]:
    """The claims decided by a number whose value moves across their step's grid."""
    return [c for c, e in analysis["claims"].items() for g in [analysis["grids"][e["steps"][0]]]
            if len(set(n for n in g["numbers"].get(c, []) if n is not None)) > 1]


def plot_curves(analysis: dict, most: int = 4):
    """The specification curves of up to `most` claims decided by a number (the fragile first), side by side."""
    from .style import new_figure

    chosen = sorted(curve_claims(analysis), key=lambda c: (not analysis["claims"][c]["changed"], c))[:most]
    figure, axes = new_figure("double", aspect=0.7, nrows=2, ncols=max(1, len(chosen)), height_ratios=[1, 1.6],
                              squeeze=False)
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    from .style import verdict_colours

    for k, claim_id in enumerate(chosen):
        plot_specification_curve(analysis, claim_id, axes[0][k], axes[1][k])
        axes[1][k].xaxis.set_major_locator(MaxNLocator(integer=True))
    grids = [analysis["grids"][analysis["claims"][c]["steps"][0]] for c in chosen]
    shown = {g["verdict_names"][code] for g, c in zip(grids, chosen) for code in g["verdicts"][c]}
    if shown:
        figure.legend(handles=[Patch(color=colour, label=v) for v, colour in verdict_colours().items() if v in shown],
                      frameon=False, fontsize=6, loc="outside lower center", ncol=len(shown))
    if not chosen:
        axes[0][0].text(0.5, 0.5, "no claim decided by a number moves within its grid", ha="center", fontsize=7)
    return figure
