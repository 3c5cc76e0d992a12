"""The `scs` command: run the chain, list its steps, validate the data, rebuild the report."""

from __future__ import annotations

import argparse
import sys

from .errors import CompendiumError


def _run(args) -> int:
    from .runner import Runner

    runner = Runner()
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
    from .runner import Runner

    runner = Runner()
    plans = {plan.name: plan for plan in runner.plan()}
    for name in runner.pipeline.order:
        step = runner.pipeline.steps[name]
        plan = plans[name]
        state = "stale: " + "; ".join(plan.reasons) if plan.stale else "fresh"
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
    from . import claims, data

    data.validate()
    registry = claims.load_registry()
    print(f"data package valid; claims registry valid ({len(registry)} claims)")
    return 0


def _report(args) -> int:
    from .claims import write_report

    path = write_report()
    print(f"claims report: {path} (and .md, .html)")
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
    args = parser.parse_args(argv)
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    try:
        return args.func(args)
    except CompendiumError as exc:
        print(f"scs {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"scs {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
