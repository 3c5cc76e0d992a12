"""The notebook runner: a long-lived process that runs the run's steps one at a time with papermill.

Usage: python -m scs_compendium.engine.kernel   (started by the runner, :mod:`.procs`)

It imports papermill and nbconvert once and then reads one step per line on stdin, a JSON
object {notebook, output, parameters, error, env}; each step gets a fresh kernel (papermill
starts one per notebook) started with the step's environment. It answers on stdout with
lines that begin with :data:`MARK`: `{"event": "cell", ...}` when a code cell starts and
`{"event": "done", "code": 0 or 1}` when the step ended; anything else it or a kernel prints
is the step's log. On failure it writes the error file naming the failing cell (its index
and id in the source notebook, its first line, the exception); when the kernel died, the
cell it was running is named. SIGTERM (the runner stopping the run) is turned into
KeyboardInterrupt, so that the running kernel is shut down on the way out.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

# A loaded machine (two cores, several kernels starting at once) can take longer than
# papermill's 60 s to start a kernel; a step should not fail for that.
KERNEL_START_TIMEOUT_S = 300
MARK = "\x1escs "  # begins the runner's messages among whatever the steps print
ENGINE = "scs"  # papermill's nbclient engine, telling the runner which cell runs
# jsonschema builds an RFC 3987 grammar when it is imported, if rfc3987_syntax is installed (about
# 2 s of CPU in every process, kernels included); it serves only jsonschema's format checker for
# "iri", which nothing in the chain uses (frictionless and nbformat validate without a format
# checker). The runner's processes and the kernels it starts do without it.
UNUSED = "rfc3987_syntax"
SKIP_UNUSED = f"__import__('sys').modules.setdefault({UNUSED!r}, None)"  # leaves no name behind


def skip_unused_imports() -> None:
    sys.modules.setdefault(UNUSED, None)


def failing_cell(source_nb: Path, executed_nb: Path) -> dict:
    """Locate the cell whose output holds the error, as a position in the source notebook."""
    import nbformat

    try:
        executed = nbformat.read(executed_nb, as_version=4)
        source = nbformat.read(source_nb, as_version=4)
    except Exception:  # the executed copy may be unreadable if the kernel died early
        return {}
    ids = [cell.get("id") for cell in source.cells]
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                cell_id = cell.get("id")
                first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
                return {
                    "cell_id": cell_id,
                    "cell_number": ids.index(cell_id) + 1 if cell_id in ids else None,
                    "execution_count": cell.get("execution_count"),
                    "first_line": first_line,
                    "ename": output.get("ename"),
                    "evalue": output.get("evalue"),
                }
    return {}


def running_cell(source_nb: Path, executed_nb: Path) -> dict:
    """The cell that was running when the kernel died: the last one papermill started."""
    import nbformat

    try:
        executed = nbformat.read(executed_nb, as_version=4)
        source = nbformat.read(source_nb, as_version=4)
    except Exception:  # the kernel died before the first save
        return {}
    ids = [cell.get("id") for cell in source.cells]
    started = [cell for cell in executed.cells
               if cell.cell_type == "code" and cell.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return {}
    cell = started[-1]
    cell_id = cell.get("id")
    return {
        "cell_id": cell_id,
        "cell_number": ids.index(cell_id) + 1 if cell_id in ids else None,
        "first_line": next((line for line in cell.source.splitlines() if line.strip()), ""),
    }


_exporter = None


def export_html(executed_nb: Path, html_path: Path) -> None:
    """Render the executed notebook to a standalone HTML page for reviewers (best effort)."""
    global _exporter
    try:
        import nbformat
        from nbconvert import HTMLExporter

        # One exporter for every step: it loads its templates once.
        _exporter = _exporter or HTMLExporter()
        body, _ = _exporter.from_notebook_node(nbformat.read(executed_nb, as_version=4))
        html_path.write_text(body, encoding="utf-8")
    except Exception as exc:  # a missing HTML page must not fail the step
        print(f"could not render {executed_nb} to HTML: {exc}", file=sys.stderr)


def send(message: dict) -> None:
    sys.stdout.write(MARK + json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    skip_unused_imports()
    try:
        import papermill as pm

        _register_engine(pm)
        for line in sys.stdin:
            send({"event": "done", "code": run_step(pm, json.loads(line))})
    except KeyboardInterrupt:  # stopped by the runner: what was written is discarded
        return 130
    return 0


def run_step(pm, request: dict) -> int:
    """Run one notebook in a kernel started with the step's environment; export it to HTML."""
    saved = {name: os.environ.get(name) for name in request["env"]}
    os.environ.update(request["env"])  # the kernel inherits it
    try:
        code = _run(pm, request["notebook"], request["output"], request["parameters"], request["error"])
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    output = Path(request["output"])
    if output.exists():
        export_html(output, output.with_suffix(".html"))
    return code


def _register_engine(pm) -> None:
    from papermill.engines import NBClientEngine, papermill_engines

    class ProgressEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            code = [i for i, cell in enumerate(nb_man.nb.cells) if cell.cell_type == "code"]
            cell_start = nb_man.cell_start

            def started(cell, cell_index=None, **more):
                if cell_index in code:
                    first = next((line for line in cell.source.splitlines() if line.strip()), "")
                    send({"event": "cell", "number": code.index(cell_index) + 1, "of": len(code),
                          "first_line": first.strip()[:60]})
                return cell_start(cell, cell_index, **more)

            nb_man.cell_start = started
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(ENGINE, ProgressEngine)


def _run(pm, notebook: str, output: str, parameters: dict, error_json: str) -> int:
    try:
        pm.execute_notebook(
            notebook,
            output,
            parameters=parameters,
            engine_name=ENGINE,
            cwd=str(Path(notebook).parent),
            progress_bar=False,
            log_output=False,
            start_timeout=KERNEL_START_TIMEOUT_S,
            # Every cell has finished and the notebook is saved: waiting for the kernel's exit
            # handlers (a second or two a step) would only delay the next step.
            shutdown_kernel="immediate",
            extra_arguments=[f"--IPKernelApp.exec_lines={SKIP_UNUSED}"],
        )
    except pm.PapermillExecutionError as exc:
        info = {"ename": exc.ename, "evalue": exc.evalue, "execution_count": exc.exec_count}
        info.update(failing_cell(Path(notebook), Path(output)))
        Path(error_json).write_text(json.dumps(info), encoding="utf-8")
        return 1
    except Exception as exc:  # kernel death, unreadable notebook, ...
        info = {"ename": type(exc).__name__, "evalue": str(exc)}
        if "dead" in type(exc).__name__.lower() or "died" in str(exc).lower():
            info["kernel_died"] = True
            info.update(running_cell(Path(notebook), Path(output)))
        Path(error_json).write_text(json.dumps(info), encoding="utf-8")
        return 1
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
