"""Run one notebook with papermill in its own process (started by the runner, :mod:`.run`).

Usage: python -m scs_compendium.engine.kernel NOTEBOOK OUTPUT PARAMS_JSON ERROR_JSON

On failure it writes ERROR_JSON naming the failing cell (its index and id in the
source notebook, its first line, the exception) and exits 1; when the kernel died,
the cell it was running is named. SIGTERM (the runner stopping the step) is turned
into KeyboardInterrupt, so that the kernel is shut down on the way out.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

# A loaded machine (two cores, several kernels starting at once) can take longer than
# papermill's 60 s to start a kernel; a step should not fail for that.
KERNEL_START_TIMEOUT_S = 300


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


def export_html(executed_nb: Path, html_path: Path) -> None:
    """Render the executed notebook to a standalone HTML page for reviewers (best effort)."""
    try:
        import nbformat
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed_nb, as_version=4))
        html_path.write_text(body, encoding="utf-8")
    except Exception as exc:  # a missing HTML page must not fail the step
        print(f"could not render {executed_nb} to HTML: {exc}", file=sys.stderr)


def main(argv: list[str]) -> int:
    notebook, output, params_json, error_json = argv
    signal.signal(signal.SIGTERM, _interrupt)
    import papermill as pm

    try:
        code = _run(pm, notebook, output, params_json, error_json)
    except KeyboardInterrupt:  # stopped by the runner: what was written is discarded
        return 130
    if Path(output).exists():
        export_html(Path(output), Path(output).with_suffix(".html"))
    return code


def _run(pm, notebook: str, output: str, params_json: str, error_json: str) -> int:
    try:
        pm.execute_notebook(
            notebook,
            output,
            parameters=json.loads(params_json),
            cwd=str(Path(notebook).parent),
            progress_bar=False,
            log_output=False,
            start_timeout=KERNEL_START_TIMEOUT_S,
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
    sys.exit(main(sys.argv[1:]))
