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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scs", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the stale steps (default: all) with papermill")
    run.add_argument("steps", nargs="*", help="steps to run (their upstream steps run too)")
    run.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="set a parameter (STEP.NAME=VALUE for one step); repeatable")
    run.add_argument("--jobs", "-j", type=int, default=None, help="steps run at once (default: one per CPU)")
    run.add_argument("--force", action="store_true", help="rerun the named steps (default: all) even if fresh")
    run.add_argument("--dry-run", action="store_true", help="say what would run and why; run nothing")
    run.set_defaults(func=_run)
    lst = sub.add_parser("list", help="steps, their parameters with defaults and docs, fresh or stale")
    lst.set_defaults(func=_list)
    val = sub.add_parser("validate", help="validate the data package and the claims registry")
    val.set_defaults(func=_validate)
    rep = sub.add_parser("report", help="rebuild the claims report from the current results")
    rep.set_defaults(func=_report)
    pap = sub.add_parser("paper", help="build paper/_build/paper.{html,pdf,docx} from paper/paper.md and the results")
    pap.add_argument("--formats", nargs="+", default=["html", "pdf", "docx"], choices=["html", "pdf", "docx"])
    pap.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    pap.set_defaults(func=_paper)
    fet = sub.add_parser("fetch", help="fetch a dataset that needs the internet (Google Trends)")
    fet.add_argument("dataset", choices=["trends"])
    fet.add_argument("--term", default="Social Credit System", help="topic title or search term")
    fet.add_argument("--topic-id", default=None, help="Knowledge Graph topic id (default: looked up from --term)")
    fet.add_argument("--search-term", action="store_true", help="fetch --term as a search term, not a topic")
    fet.add_argument("--geo", default="", help="region code, '' for worldwide (default)")
    fet.add_argument("--start", default="2004-01-01")
    fet.add_argument("--end", default=None, help="end date YYYY-MM-DD (default: today)")
    fet.add_argument("--samples", type=int, default=3, help="samples to take (Google samples its data)")
    fet.add_argument("--tolerance", type=float, default=10.0,
                     help="points (0-100) by which samples of one period may differ; beyond it nothing is stored")
    fet.set_defaults(func=_fetch)
    imp = sub.add_parser("import", help="import a file downloaded by hand (Google Trends multiTimeline.csv)")
    imp.add_argument("dataset", choices=["trends"])
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
