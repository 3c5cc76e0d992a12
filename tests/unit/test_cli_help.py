"""`scs --help` and each command's help: a description, help for every option, examples; `run` names the steps."""

from __future__ import annotations

import argparse

import pytest

from scs_compendium import cli
from scs_compendium.engine.spec import load_pipeline

from ..conftest import REPO


def parsers(monkeypatch) -> dict[str, argparse.ArgumentParser]:
    """Every subcommand's parser, as `scs <command> --help` builds it."""
    captured = {}
    real = argparse.ArgumentParser.parse_args

    def capture(self, args=None, namespace=None):
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                captured.update(action.choices)
        raise SystemExit(0)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", capture)
    monkeypatch.chdir(REPO)
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", real)
    return captured


def test_every_command_has_a_description_examples_and_help_for_each_option(monkeypatch):
    commands = parsers(monkeypatch)
    assert set(commands) == {"run", "list", "validate", "report", "paper", "fetch", "import"}
    for name, parser in commands.items():
        assert parser.description and len(parser.description) > 60, name
        assert parser.epilog.startswith("examples:\n") and f".venv/bin/scs {name}" in parser.epilog, name
        for action in parser._actions:
            assert action.help, f"scs {name} {action.option_strings or action.dest}: no help text"


def test_run_help_names_every_step_in_order(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    out = capsys.readouterr().out
    order = load_pipeline(REPO).order
    positions = [out.index(f"\n  {name} ") for name in order]
    assert positions == sorted(positions) and "STEP.NAME=VALUE" in out
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert ".venv/bin/scs run --dry-run" in capsys.readouterr().out  # the top level shows examples too
