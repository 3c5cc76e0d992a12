"""The `scs` command: run the chain, list its steps, validate the data, rebuild the report."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .errors import CompendiumError


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: queued steps never start, running ones stop, nothing half-done is published."""


def _on_sigterm(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM does not cut the clean-up short
    raise Terminated()


def _run(args) -> int:
    from .engine.kernel import skip_unused_imports

    skip_unused_imports()  # before the data checks import jsonschema (see engine.kernel)
    from .chain import compendium_runner

    runner = compendium_runner()
    outcome = runner.run(
        targets=args.steps or None,
        overrides=args.param,
        jobs=args.jobs,
        force=args.force,
        dry_run=args.dry_run,
    )
    if args.dry_run:
        return 0
    if outcome.failed or outcome.skipped:
        print(
            f"scs run: {len(outcome.failed)} step(s) failed, {len(outcome.skipped)} skipped; "
            "the claims report was not rebuilt",
            file=sys.stderr,
        )
        return 1
    print(f"scs run: {len(outcome.ran)} step(s) ran, {len(outcome.fresh)} fresh")
    return 0


def _list(args) -> int:
    from .chain import compendium_runner

    runner = compendium_runner()
    plans = {plan.name: plan for plan in runner.plan()}
    for name in runner.pipeline.order:
        step = runner.pipeline.steps[name]
        plan = plans[name]
        state = "stale: " + "; ".join(plan.reasons) if plan.stale else plan.describe()
        print(f"{name}  [{state}]")
        print(f"    {step.title}")
        print(f"    notebook: {step.notebook}" + (f"; needs: {', '.join(step.needs)}" if step.needs else ""))
        for param in step.parameters.values():
            print(f"    -p {param.describe()}")
    for planned in runner.pipeline.planned.values():
        print(f"{planned.name}  [planned, issue #{planned.issue}]")
        print(f"    {planned.title}")
    return 0


def _validate(args) -> int:
    from .claims import load_registry
    from .sources.datapackage import validate

    from .chain import check_evidence_tables
    from .engine.spec import load_pipeline

    validate(log=_note)  # a large table is announced as it is read
    registry = load_registry()
    checked = check_evidence_tables(load_pipeline())
    print(f"data package valid; claims registry valid ({len(registry)} claims)" + (f"; {checked}" if checked else ""))
    return 0


def _report(args) -> int:
    from .outputs.landing import write_index
    from .outputs.report import write_report

    from .outputs.webfont import add_to_notebook_pages
    from .paths import find_project_root

    path = write_report()
    add_to_notebook_pages(find_project_root())
    print(f"claims report: {path} (and .md, .html); start page: {write_index()}")
    return 0


def _paper(args) -> int:
    from .outputs.paper import build

    targets = build(formats=tuple(args.formats), force=args.force)
    for fmt, path in targets.items():
        print(f"paper ({fmt}): {path}")
    return 0


def _fetch(args) -> int:
    from .paths import find_project_root
    from .sources.google_trends import Query, fetch, write_snapshot
    from .sources.google_trends.client import FETCH_CAVEAT, PytrendsClient
    from .sources.google_trends.regions import normalise_geo

    print(FETCH_CAVEAT, file=sys.stderr)
    root = find_project_root()
    query = Query(term=args.term, topic_id=args.topic_id, geo=normalise_geo(args.geo, "--geo"), start=args.start,
                  end=args.end)
    snapshot = fetch(PytrendsClient(), query, samples=args.samples, resolve_topic=not args.search_term,
                     tolerance=args.tolerance, log=_note)
    path = write_snapshot(root, snapshot, log=_note)
    print(f"snapshot: {path.relative_to(root)} (and .json); now run `scs run search_interest`")
    return 0


def _note(line: str) -> None:
    print(line, file=sys.stderr)


def retrieval_date(text: str | None):
    """`--retrieved`: an ISO date (YYYY-MM-DD), not in the future and not before Google Trends began (2004)."""
    from datetime import date, datetime, timezone

    from .sources.google_trends import TrendsError

    today = datetime.now(timezone.utc).date()
    if text is None:
        return today
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise TrendsError(f"--retrieved {text!r}: not a date in the form YYYY-MM-DD (e.g. {today.isoformat()}); "
                          "give the day the file was downloaded") from None
    if value > today:
        raise TrendsError(f"--retrieved {text}: in the future (today is {today.isoformat()}, UTC); expected the day "
                          "the file was downloaded")
    if value < date(2004, 1, 1):
        raise TrendsError(f"--retrieved {text}: before Google Trends data begin (2004-01-01); expected the day the "
                          "file was downloaded")
    return value


def _import(args) -> int:
    from .paths import find_project_root
    from .sources.google_trends import parse_multitimeline, write_snapshot

    root = find_project_root()
    retrieved = retrieval_date(args.retrieved)
    snapshot = parse_multitimeline(args.file, retrieved, term=args.term, geo=args.geo, log=_note)
    path = write_snapshot(root, snapshot, log=_note)
    print(f"snapshot: {path.relative_to(root)} (and .json), series {snapshot.metadata['query']!r}; "
          "now run `scs run search_interest`")
    return 0


EXAMPLES = """examples:
  .venv/bin/scs run                                    run every stale step, then write the claims report
  .venv/bin/scs run --dry-run                          say what would run and why
  .venv/bin/scs run media_coverage -p few_years_min=3  one step (and what it needs) with another parameter value
  .venv/bin/scs list                                   every step with its parameters, their defaults and docs
  .venv/bin/scs paper                                  the companion paper (HTML, PDF, DOCX) from the results
  .venv/bin/scs <command> --help                       what a command does, its options and examples"""


def _steps_help() -> str:
    """The chain's steps, in order, for `scs run --help` (from pipeline.yaml; a note when it cannot be read)."""
    try:
        from .engine.spec import load_pipeline

        pipeline = load_pipeline()
    except Exception as exc:  # help must work anywhere, even outside the project
        return f"steps: (pipeline.yaml could not be read here: {str(exc)[:120]})"
    lines = ["steps, in the chain's order (STEP.NAME=VALUE sets a parameter of one step; `scs list` shows them all):"]
    lines += [f"  {name:<18} {pipeline.steps[name].title}" for name in pipeline.order]
    return "\n".join(lines)


def _command(sub, name: str, summary: str, description: str, examples: list[str]):
    import textwrap

    description = "\n\n".join(part if "\n" in part else textwrap.fill(part, 100) for part in description.split("\n\n"))
    return sub.add_parser(name, help=summary, description=description, formatter_class=argparse.RawDescriptionHelpFormatter,
                          epilog="examples:\n" + "\n".join(f"  {line}" for line in examples))


def main(argv: list[str] | None = None) -> int:
    asks_help = any(arg in ("-h", "--help") for arg in (sys.argv[1:] if argv is None else argv))
    parser = argparse.ArgumentParser(prog="scs", description=__doc__, epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = _command(sub, "run", "run the stale steps (default: all) with papermill",
                   "Run the chain's notebooks with papermill: only the steps whose notebook, parameters, inputs, code "
                   "or environment changed, or whose outputs are missing or edited, and the steps they need. Outputs "
                   "are published to figures/ and build/results/ only when a whole notebook succeeded; then the claims "
                   "report and build/index.html are rebuilt." + ("\n\n" + _steps_help() if asks_help else ""),
                   [".venv/bin/scs run", ".venv/bin/scs run timeline --force",
                    ".venv/bin/scs run -p media_coverage.few_years_min=3 -p evidence.min_strength=3",
                    ".venv/bin/scs run --dry-run -p confidence_level=0.9"])
    run.add_argument("steps", nargs="*", metavar="STEP", help="steps to run (their upstream steps run too); default: all")
    run.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="set a parameter (STEP.NAME=VALUE for one step); repeatable")
    run.add_argument("--jobs", "-j", type=int, default=None, help="steps run at once (default: one per CPU)")
    run.add_argument("--force", action="store_true", help="rerun the named steps (default: all) even if fresh")
    run.add_argument("--dry-run", action="store_true", help="say what would run and why; run nothing")
    run.set_defaults(func=_run)
    lst = _command(sub, "list", "steps, their parameters with defaults and docs, fresh or stale",
                   "List every step of pipeline.yaml in the chain's order: its title, notebook, the steps it needs, each "
                   "parameter (type, range, default, what it means, its sweep) and whether the step is fresh or why "
                   "it would run.", [".venv/bin/scs list"])
    lst.set_defaults(func=_list)
    val = _command(sub, "validate", "validate the data package and the claims registry",
                   "Check data/datapackage.json and every table against its schema, the claims registry "
                   "(data/claims.yaml) and the evidence tables against the registry, without running a notebook. "
                   "A problem is named with its file, row and column.", [".venv/bin/scs validate"])
    val.set_defaults(func=_validate)
    rep = _command(sub, "report", "rebuild the claims report from the current results",
                   "Rebuild build/claims.{json,md,html} and build/index.html from build/results/ (each result checked "
                   "against the hash the run recorded), without running a notebook.", [".venv/bin/scs report"])
    rep.set_defaults(func=_report)
    pap = _command(sub, "paper", "build paper/_build/paper.{html,pdf,docx} from paper/paper.md and the results",
                   "Fill paper/paper.md with the results and the claims report, then build it with Pandoc (HTML, DOCX) "
                   "and Typst (PDF, with the project's own fonts). Nothing is rebuilt when nothing it reads changed.",
                   [".venv/bin/scs paper", ".venv/bin/scs paper --formats pdf --force"])
    pap.add_argument("--formats", nargs="+", default=["html", "pdf", "docx"], choices=["html", "pdf", "docx"],
                     help="formats to build (default: all three)")
    pap.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    pap.set_defaults(func=_paper)
    fet = _command(sub, "fetch", "fetch a dataset that needs the internet (Google Trends)",
                   "Fetch the Google Trends series of the topic (several samples, compared) into "
                   "data/raw/google_trends/. Needs internet access and the optional pytrends "
                   "(`.venv/uv/bin/uv pip install --python .venv/bin/python -e '.[trends]'`); `scs import trends` is "
                   "the main route and needs neither.",
                   [".venv/bin/scs fetch trends --end 2022-12-31", ".venv/bin/scs fetch trends --geo US --samples 5"])
    fet.add_argument("dataset", choices=["trends"], help="the dataset to fetch (only Google Trends: trends)")
    fet.add_argument("--term", default="Social Credit System", help="topic title or search term")
    fet.add_argument("--topic-id", default=None, help="Knowledge Graph topic id (default: looked up from --term)")
    fet.add_argument("--search-term", action="store_true", help="fetch --term as a search term, not a topic")
    fet.add_argument("--geo", default="", help="region code, '' for worldwide (default)")
    fet.add_argument("--start", default="2004-01-01", help="first day YYYY-MM-DD (default: 2004-01-01, when the data begin)")
    fet.add_argument("--end", default=None, help="end date YYYY-MM-DD (default: today)")
    fet.add_argument("--samples", type=int, default=3, help="samples to take (Google samples its data)")
    fet.add_argument("--tolerance", type=float, default=10.0,
                     help="points (0-100) by which samples of one period may differ; beyond it nothing is stored")
    fet.set_defaults(func=_fetch)
    imp = _command(sub, "import", "import a file downloaded by hand (Google Trends multiTimeline.csv)",
                   "Import a Google Trends export downloaded by hand from trends.google.com (Download, CSV) as a "
                   "snapshot in data/raw/google_trends/ with its retrieval date; then `scs run search_interest`.",
                   [".venv/bin/scs import trends ~/Downloads/multiTimeline.csv --retrieved 2026-11-30",
                    ".venv/bin/scs import trends multiTimeline.csv --geo US"])
    imp.add_argument("dataset", choices=["trends"], help="the dataset the file holds (only Google Trends: trends)")
    imp.add_argument("file", help="the multiTimeline.csv downloaded from trends.google.com")
    imp.add_argument("--retrieved", default=None, help="download date YYYY-MM-DD (default: today, UTC)")
    imp.add_argument("--term", default=None,
                     help="the column to take when the file holds several terms (default: the topic's, else the first)")
    imp.add_argument("--geo", default=None,
                     help="region of the series when the file does not say it ('' for worldwide, e.g. US)")
    imp.set_defaults(func=_import)
    args = parser.parse_args(argv)
    if getattr(args, "end", "unset") is None:
        from datetime import date

        args.end = date.today().isoformat()
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main_thread else None
    try:
        return args.func(args)
    except CompendiumError as exc:
        print(f"scs {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder: say what cannot be written and where
        where = f" {exc.filename}" if exc.filename else ""
        print(f"scs {args.command}: error: cannot read or write{where}: {exc.strerror or exc} (is the disk full, or "
              "the folder read-only?); outputs already in place were kept", file=sys.stderr)
        return 2
    except Terminated:
        print(f"scs {args.command}: terminated (SIGTERM); finished steps are recorded, the others will rerun",
              file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(f"scs {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
