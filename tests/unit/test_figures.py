"""What a reader of the figures needs: names not cut, labels that do not overlap, every marker and status visible."""

from __future__ import annotations

import json
from collections import defaultdict

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from scs_compendium.article import actors_figures as af, blacklist_rates as bl, literature_shares as ls
from scs_compendium.article import search_interest as si, timeline as tl
from scs_compendium.claims import load_registry, reported_values
from scs_compendium.outputs.style import new_figure
from scs_compendium.sources import tables

from ..conftest import step_defaults


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def boxes(texts, renderer):
    return [Text.get_window_extent(t, renderer) for t in texts]


def overlapping(bboxes) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(bboxes) for j, b in enumerate(bboxes) if i < j and a.overlaps(b)]


# --- timeline ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def timeline_data():
    events = tables.load_events()
    return events, tables.load_pairs(events), tables.load_phases()


def test_key_events_are_the_inception_and_the_paired_responses(timeline_data):
    events, pairs, _ = timeline_data
    chosen = tl.key_events(events, pairs, "jiang-promotes-scs")
    assert chosen[0] == "jiang-promotes-scs"
    assert sorted(chosen[1:]) == sorted(set(pairs["response"]))  # each response once
    assert tl.key_events(events, pairs, "scs-term")[0] == "scs-term"  # the rule follows the parameter


def test_event_labels_are_whole_first_clauses_never_cut():
    assert tl.event_label("NDRC (Lian Weiliang): moral scores only as incentives, not punishment") == \
        "NDRC: moral scores only as\nincentives, not punishment"
    long = tl.event_label("State Council: better define credit and untrustworthy behaviour; credit constraints on a legal track")
    assert long.replace("\n", " ") == "State Council: better define credit and untrustworthy behaviour"  # its first clause
    label = tl.event_label("Suzhou suspends and modifies the civility code after public criticism")
    assert "…" not in label and label.replace("\n", " ").endswith("after public criticism")


@pytest.mark.parametrize("categories", [list(tl.CATEGORIES), ["controversy", "response"]])
def test_timeline_names_its_key_events_and_phases_without_overlap(timeline_data, categories):
    events, pairs, phases = timeline_data
    analysis = tl.analyse(events, pairs, **{**step_defaults("timeline"), "categories": categories})
    fig, ax = new_figure("double", aspect=0.5)
    chosen = tl.key_events(events, pairs, "jiang-promotes-scs")
    tl.plot_timeline(events, phases, analysis["response_lags"], ax, categories=categories, labelled=chosen)
    fig.canvas.draw()  # as saved: after the layout
    renderer = fig.canvas.get_renderer()
    texts = {t.get_text(): t for t in ax.texts}
    shown = events[events["category"].isin(categories)].set_index("id")["event"]
    labels = [texts[tl.event_label(shown[e])] for e in chosen if e in shown.index]
    assert len(labels) == len([e for e in chosen if e in shown.index]) > 0
    for label in labels:
        label.update_positions(renderer)
    assert overlapping(boxes(labels, renderer)) == []
    arrows = [tl.display_path(a) for a in ax.texts if a.get_text() == "" and a.arrow_patch is not None]
    assert len(arrows) == len([lag for lag in analysis["response_lags"]
                               if {lag["controversy"], lag["response"]} <= set(shown.index)])
    crossed = [(label.get_text(), i) for label in labels for i, arrow in enumerate(arrows)
               if arrow.intersects_bbox(Text.get_window_extent(label, renderer), filled=False)]
    assert crossed == []  # no name lies over a controversy -> response arrow
    frame = ax.get_window_extent(renderer)
    assert all(frame.contains(*box.min) and frame.contains(*box.max) for box in boxes(labels, renderer))
    names = [texts[t] for t in texts if t.replace("\n", " ") in set(phases["label"])]
    assert len(names) == len(phases)
    assert overlapping([n.get_window_extent(renderer) for n in names]) == []
    assert "the compendium's phases" in ax.get_xlabel() and "article's phases" not in ax.get_xlabel()


# --- the other figures -----------------------------------------------------------------


def test_literature_share_labels_are_whole():
    analysis = ls.analyse(tables.load_classification(), **step_defaults("literature_shares"))
    fig, ax = new_figure("single", aspect=0.85)
    ls.plot_shares(analysis, ax)
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    for corpus in analysis["corpora"].values():
        for cat in corpus["categories"].values():
            assert any(cat["label"] in label for label in labels), cat["label"]
    assert not any("..." in label for label in labels)


@pytest.fixture(scope="module")
def blacklist():
    return bl.analyse(tables.load_counts(), tables.load_population(), tables.load_market_entities(),
                      reported_values(list(bl.ARTICLE_CLAIMS)), **step_defaults("blacklist_rates"))


def test_blacklist_markers_of_one_row_are_dodged_and_the_legend_separates_year_and_kind(blacklist):
    fig, (ax_people, ax_entities) = new_figure("double", aspect=0.62, nrows=2, height_ratios=[2, 1])
    bl.plot_rates(blacklist, ax_people, ax_entities)
    by_row = defaultdict(list)
    for collection in ax_people.collections:
        for x, y in collection.get_offsets():
            by_row[round(y)].append(y)
    assert by_row and all(len(set(ys)) == len(ys) for ys in by_row.values()), "two years of one row on one spot"
    assert any(len(ys) > 1 for ys in by_row.values())
    assert all(abs(y - row) < 0.5 for row, ys in by_row.items() for y in ys)  # each stays within its row
    legend = [t.get_text() for t in ax_people.get_legend().get_texts()]
    years = sorted({r["year"] for r in blacklist["population_rates"]})
    assert all(year in legend for year in years)
    assert "share of persons" in legend and "listings per 100 persons" in legend
    assert "article: 0.15-0.3% (2019-2020)" in legend
    named = [(round(t.xy[1], 3), t.get_text()) for t in ax_people.texts]
    points = sum(len(c.get_offsets()) for c in ax_people.collections)
    assert len(ax_people.texts) == points and all(text.isdigit() for _, text in named)  # every point named by its year


def test_comparators_legend_leaves_every_marker_visible(blacklist):
    fig, ax = new_figure("double", aspect=0.5)
    bl.plot_comparators(blacklist, tables.load_comparators(), ax)
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    points = [ax.transData.transform(xy) for c in ax.collections for xy in c.get_offsets()]
    assert not any(legend.contains(x, y) for x, y in points)
    labels = [t.get_text() for t in ax.get_yticklabels()][::-1]  # top to bottom
    us = [label for label in labels if label.startswith("US debt in collections")]
    assert us == sorted(us) and labels.index(us[-1]) - labels.index(us[0]) == len(us) - 1  # one block, by year


def test_actor_counts_carry_a_glyph_beside_each_verdict_colour():
    from scs_compendium.claims.registry import article_counts
    from scs_compendium.outputs.style import verdict_glyph
    from scs_compendium.sources.tables import load_events

    analysis = af.analyse(load_events(), article_counts(af.FN73))
    verdicts = {cid: "reproduced" if i % 2 else "not reproduced" for i, cid in enumerate(af.FN73)}
    fig, ax = new_figure("single", aspect=0.6)
    af.plot_counts(analysis, verdicts, ax)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == len(af.FN73)
    for text, cid in zip(texts, af.FN73):
        assert text.endswith(f"{verdict_glyph(verdicts[cid])} {verdicts[cid]}")
    assert len({bar.get_facecolor() for bar in ax.patches}) == 2  # one colour per verdict

def test_search_interest_periods_are_named_above_the_plot():
    reported = reported_values(list(si.CLAIMS))
    media = {"dated_pieces_by_half_year": {"2016H2": 2}, "pieces_by_year": {"2016": 7}}
    analysis = si.analyse([], media, None, reported, **step_defaults("search_interest"))
    fig, ax = new_figure("double", aspect=0.3)
    si.plot_timing(analysis, ax)
    names = [t for t in ax.texts if "(" in t.get_text()]
    assert len(names) == len(si.CLAIMS)
    assert all(t.get_rotation() == 0 and t.get_position()[1] >= 1 for t in names)
    assert json.dumps(analysis["article"])  # the periods come from the registry
