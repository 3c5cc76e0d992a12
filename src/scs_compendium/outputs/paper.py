"""The companion paper: numbers from results, figures from the chain, HTML, PDF and DOCX.

`paper/paper.md` (Pandoc Markdown) never types a number. It writes placeholders:

    {{literature_shares:corpora.cnki.total|int}}      a result value, formatted
    {{claims:fn22-cnki-total.verdict}}                a field of the claims report
    {{verdicts:not_reproduced|int}}                   how many claims have that verdict
    ![Caption.](figure:literature_shares)             a figure of the chain
    {{claims_appendix}}                               every claim, grouped by section
    {{data_sources}}                                  the documents each data table draws on, cited

A placeholder whose result is missing fails the build, naming the key and the
step that should write it. Each figure's caption ends with its provenance. Pandoc
(pypandoc-binary) writes HTML and DOCX, and Typst markup that the `typst` package
compiles to PDF: no LaTeX.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from ..engine.spec import Pipeline, load_pipeline
from ..engine.store import atomic_write_json, lookup, read_checked_results, sha256_file
from ..errors import CompendiumError
from ..paths import CLAIMS_REPORT, FIGURES_DIR, PAPER_BUILD_DIR, PAPER_DIR, RESULTS_DIR
from .bibliography import CSL_FILE, data_sources, sources_markdown, write_csl
from .docx import fixed_date, write_reference_docx
from .landing import parameter_differences, write_index
from .pdf import PAGE, TYPST_HEADER, compile_pdf
from .report import read_claims
from .webfont import font_face
from ..claims import section_key
from .formatting import code_span, escape_markdown, format_value, sentence, where

BUILD_DIR = PAPER_BUILD_DIR
FORMATS = ("html", "pdf", "docx")
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+):([^|}\s]+)\s*(?:\|\s*([a-z0-9_]+)\s*)?\}\}")
FIGURE = re.compile(r"!\[(?P<caption>[^\]]*)\]\(figure:(?P<stem>[a-z0-9_]+)\)(?P<attrs>\{[^}]*\})?")
CITATION = re.compile(r"(?<![\w@\\])@([A-Za-z][\w:.-]*\w)")  # not an e-mail address, not an escaped @


# The paper's HTML: the PDF's faces (Libertinus Serif where installed), the project's Chinese font for CJK.
PAPER_FONTS = ('body { font-family: "SCS CJK", "Libertinus Serif", Georgia, serif; } '
               'code, pre { font-family: "SCS CJK", Menlo, Monaco, Consolas, monospace; }')


class PaperError(CompendiumError):
    """The paper cannot be built (a missing result, figure or reference)."""


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "int": lambda v: f"{int(round(v)):,}",
    "num0": lambda v: f"{v:,.0f}",
    "num1": lambda v: f"{v:,.1f}",
    "num2": lambda v: f"{v:,.2f}",
    "num3": lambda v: f"{v:,.3f}",
    "pct0": lambda v: f"{100 * v:.0f}%",
    "pct1": lambda v: f"{100 * v:.1f}%",
    "pctval1": lambda v: f"{v:.1f}%",
    "pctval2": lambda v: f"{v:.2f}%",
    "pctval3": lambda v: f"{v:.3f}%",
    "range": lambda v: f"{format_value(v[0])}–{format_value(v[1])}",
    "pctrange0": lambda v: f"{100 * v[0]:.0f}–{100 * v[1]:.0f}%",
    "pvalue": lambda v: "< 0.001" if v < 0.001 else f"{v:.3f}",
    "year": lambda v: str(int(v)),
    "raw": lambda v: format_value(v) if not isinstance(v, str) else v,
}


class Resolver:
    """Looks placeholders up in build/results/ and build/claims.json."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self.root = pipeline.root
        self.used_results: set[str] = set()
        self._claims: dict[str, dict] | None = None

    def claims(self) -> dict[str, dict]:
        if self._claims is None:
            if not (self.root / f"{CLAIMS_REPORT}.json").is_file():
                raise PaperError("build/claims.json not found: run `scs run` before `scs paper`")
            self._claims = {row["id"]: row for row in read_claims(self.root)}
        return self._claims

    def value(self, source: str, key: str) -> Any:
        if source == "verdicts":  # {{verdicts:partly_reproduced}}: how many claims have that verdict ('all': every claim)
            rows = self.claims().values()
            return len(rows) if key == "all" else sum(row["verdict"] == key.replace("_", " ") for row in rows)
        if source == "claims":
            claim_id, _, field = key.rpartition(".")
            row = self.claims().get(claim_id)
            if row is None or field not in row:
                raise PaperError(f"placeholder claims:{key}: no claim {claim_id!r} with field {field!r} in build/claims.json")
            return row[field]
        if source not in self.pipeline.steps:
            raise PaperError(f"placeholder {source}:{key}: {source!r} is not a step of pipeline.yaml")
        try:
            values = read_checked_results(self.root, source)["values"]
            self.used_results.add(source)
            return lookup(values, key, source)
        except CompendiumError as exc:
            raise PaperError(f"placeholder {source}:{key}: {exc} (step {source!r} should write it)") from None

    def fill(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            source, key, fmt = match.group(1), match.group(2), match.group(3) or "raw"
            if fmt not in FORMATTERS:
                raise PaperError(f"placeholder {source}:{key}: unknown format {fmt!r}; formats: {sorted(FORMATTERS)}")
            value = self.value(source, key)
            try:
                return escape_markdown(FORMATTERS[fmt](value))  # data are text, never markup
            except (TypeError, ValueError, IndexError):
                raise PaperError(f"placeholder {source}:{key}: format {fmt!r} does not suit {value!r}") from None

        return PLACEHOLDER.sub(replace, text)


def figure_step(pipeline: Pipeline, stem: str) -> str:
    for step in pipeline.steps.values():
        if stem in step.figures or stem in step.optional_figures:
            return step.name
    raise PaperError(f"figure:{stem}: no step of pipeline.yaml draws a figure {stem!r}")


def _parameter_text(value: Any) -> str:
    """A parameter as set: whole numbers as typed (a year is 2000, not 2,000), lists as lists."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else format_value(value)


# Settings of how a step runs, not of what it computes: never part of a figure's provenance.
EXECUTION_SETTINGS = frozenset({"workers"})


def figure_provenance(pipeline: Pipeline, stem: str) -> dict:
    """Step, parameters (execution settings left out), data files and commit of the results that drew a figure."""
    step = figure_step(pipeline, stem)
    try:
        provenance = read_checked_results(pipeline.root, step)["provenance"]
    except CompendiumError as exc:
        raise PaperError(f"figure:{stem}: {exc}") from None
    return {"step": step, "commit": provenance.get("git_commit", "unknown")[:12],
            "parameters": {k: v for k, v in provenance["parameters"].items() if k not in EXECUTION_SETTINGS},
            "data": [Path(p).name for p in provenance["inputs"] if not p.endswith("datapackage.json")]}


def caption_provenance(pipeline: Pipeline, stem: str, number: int | None = None) -> str:
    """A short tag for the caption: the step and the commit; the parameters and data are in the appendix."""
    made = figure_provenance(pipeline, stem)
    where = f" (parameters and data: appendix, Figure {number})" if number else ""
    return f" *Step {code_span(made['step'])}, commit {escape_markdown(made['commit'])}{where}.*"


def provenance_appendix(pipeline: Pipeline, stems: list[str]) -> str:
    """For each figure of the paper, in order: its step, every parameter as set, its data and its commit."""
    lines = []
    for number, stem in enumerate(stems, 1):
        made = figure_provenance(pipeline, stem)
        params = "; ".join(f"{k} = {_parameter_text(v)}" for k, v in made["parameters"].items()) or "none"
        lines.append(f"- **Figure {number}** ({code_span(stem)}): step {code_span(made['step'])}; parameters: "
                     f"{escape_markdown(params)}; data: {escape_markdown(', '.join(made['data']) or 'none')}; "
                     f"commit {escape_markdown(made['commit'])}.")
    return "\n".join(lines)


def claims_appendix(resolver: Resolver) -> str:
    """Every claim as a short block, grouped by the article's section: id and place, verdict and basis,
    what the article says and reports, why, the research. Blocks wrap like text in every format."""
    groups: dict[str, list[dict]] = {}
    for row in resolver.claims().values():
        groups.setdefault(section_key(row["section"]), []).append(row)
    lines = ["```{=typst}", "#set text(size: 9.5pt)", "#set par(justify: false)", "```", ""]
    for key in sorted(groups, key=lambda s: (not s[0].isdigit(), [int(p) if p.isdigit() else 0 for p in s.split(".")], s)):
        title = f"Section {key}" if key[0].isdigit() else key.capitalize()
        lines += [f"## {escape_markdown(title)} {{.unnumbered}}", ""]
        for row in groups[key]:
            parts = "; ".join(f"{p['id']} ({p['type']}): {p['outcome'] or 'interpretation'}" for p in row.get("parts", []))
            sources = sorted({r["source"] for p in row.get("parts", []) for r in p["rows"]})
            research = (f"parts: {parts}" if parts else "a check on " + row["basis"]) + \
                (f"; sources: {', '.join(sources)}" if sources else "; no source read for it" if parts else "")
            second = (row.get("second_reading") or {}).get("verdict")
            if second:
                research += f"; a blind second reading gave: {second}"
            lines += [
                f"**{code_span(row['id'])}** ({escape_markdown(where(row))}): **{escape_markdown(row['verdict'])}**; "
                f"basis: {escape_markdown(row['basis'])}.\\",
                f"*The article:* {escape_markdown(row['statement'])} (reported: {escape_markdown(row['reported'])}).\\",
                f"*Why:* {escape_markdown(row['why'])}.\\",
                f"*Research:* {escape_markdown(research)}.", ""]
    return "\n".join(lines)


def claims_list(resolver: Resolver, step: str) -> str:
    """The claims one step checks, as a list: verdict, basis, statement, what the article reports, why."""
    rows = [row for row in resolver.claims().values() if row["step"] == step]
    if not rows:
        raise PaperError(f"placeholder claims_list:{step}: no claim of build/claims.json is checked by step {step!r}")
    return "\n".join(
        f"- **{escape_markdown(row['verdict'])}** ({escape_markdown(row['basis'])}). {escape_markdown(row['statement'])} "
        f"({escape_markdown(where(row))}; the article: {escape_markdown(row['reported'])}). {escape_markdown(sentence(row['why']))}."
        for row in rows)


def evidence_agreement(resolver: Resolver) -> str:
    """The agreement of the two readings, before adjudication, as a list (from the evidence step's results)."""
    from ..claims.agreement import CODINGS, describe

    values = resolver.value("evidence", "agreement")
    adjudicated = resolver.value("evidence", "adjudications")
    return "\n".join(f"- On {label}: {escape_markdown(describe(values[name]))}; {adjudicated[coding]} adjudicated."
                     for name, label, coding in CODINGS)


def arguments_list(resolver: Resolver) -> str:
    """Each thesis with the support its premises give it, as a list (from the arguments step's results)."""
    return "\n".join(f"- **{escape_markdown(a['thesis'])}** ({escape_markdown(a['where'])}). "
                     f"{escape_markdown(a['support']['text'])}" for a in resolver.value("arguments", "arguments"))


def fragile_claims(resolver: Resolver) -> str:
    """The claims whose verdict changes within the declared sweeps, as a list (from build/claims.json)."""
    rows = [row for row in resolver.claims().values() if (row.get("robustness") or {}).get("changed")]
    if not rows:
        return "No verdict changes within the declared sweeps."

    def why(row: dict) -> str:
        return "; ".join(f"{name}: {reason}" for name, reason in row["robustness"]["sweep_why"].items())

    return "\n".join(f"- **{escape_markdown(row['id'])}** ({escape_markdown(row['verdict'])}, in "
                     f"{row['robustness']['share']:.0%} of its variants): {escape_markdown(row['robustness']['text'])}. "
                     f"Why these ranges: {escape_markdown(why(row))}." for row in rows)


def render(root: Path | None = None, pipeline: Pipeline | None = None) -> tuple[str, list[str], set[str]]:
    """paper.md with every placeholder filled; also the figure stems and result steps it used."""
    pipeline = pipeline or load_pipeline(root)
    root = pipeline.root
    source = root / PAPER_DIR / "paper.md"
    if not source.is_file():
        raise PaperError(f"{PAPER_DIR}/paper.md not found")
    text = source.read_text(encoding="utf-8")
    resolver = Resolver(pipeline)
    stems: list[str] = []

    def figure(match: re.Match) -> str:
        stem = match.group("stem")
        path = root / "figures" / f"{stem}.png"
        if not path.is_file():
            raise PaperError(f"figure:{stem}: figures/{stem}.png not found (step {figure_step(pipeline, stem)!r} draws it)")
        stems.append(stem)  # numbered in the caption itself: the same 'Figure N.' in HTML, DOCX and PDF
        caption = (f"**Figure {len(stems)}.** " + match.group("caption").rstrip()
                   + caption_provenance(pipeline, stem, len(stems) if "{{figure_provenance}}" in text else None))
        attrs = match.group("attrs") or "{width=100%}"
        return f"![{caption}](../../figures/{stem}.png){attrs}"

    text = FIGURE.sub(figure, text)
    if "{{figure_provenance}}" in text:
        text = text.replace("{{figure_provenance}}", provenance_appendix(pipeline, stems))
    text = text.replace("{{fragile_claims}}", fragile_claims(resolver))
    if "{{arguments_list}}" in text:
        text = text.replace("{{arguments_list}}", arguments_list(resolver))
    if "{{evidence_agreement}}" in text:
        text = text.replace("{{evidence_agreement}}", evidence_agreement(resolver))
    if "{{data_sources}}" in text:
        listing, research = sources_markdown(root, data_sources(root))
        text = text.replace("{{data_sources}}", listing)
        if research:  # the research's documents are in the references without a call in the text
            text = re.sub(r"\A(---\n.*?\n)(---\n)", lambda m: m.group(1) + "nocite: |\n  " + ", ".join(f"@{k}" for k in research)
                          + "\n" + m.group(2), text, count=1, flags=re.S)
    text = text.replace("{{claims_appendix}}", claims_appendix(resolver))
    text = re.sub(r"\{\{claims_list:([a-z_]+)\}\}", lambda m: claims_list(resolver, m.group(1)), text)
    text = resolver.fill(text)
    differences = parameter_differences(pipeline)
    if differences:  # a build with other parameters says so before anything else
        banner = ("::: {.parameter-banner}\n**Not the default build.** The results in this paper were computed with "
                  "parameters that differ from `pipeline.yaml`:\n\n" + "\n".join(f"- {code_span(d)}" for d in differences)
                  + "\n:::\n\n")
        subtitle = "subtitle: " + json.dumps("Not the default build: " + "; ".join(differences)) + "\n"
        text = re.sub(r"\A(---\n.*?\n)(---\n)", lambda m: m.group(1) + subtitle + m.group(2) + "\n" + banner, text,
                      count=1, flags=re.S)  # under the title in HTML, PDF and DOCX, and again before the text
    leftover = re.search(r"\{\{[^}]*\}\}", text)
    if leftover:
        raise PaperError(f"{PAPER_DIR}/paper.md: malformed placeholder {leftover.group(0)!r}; expected {{{{step:key|format}}}}")
    return text, stems, resolver.used_results


def check_citations(root: Path, text: str, generated: tuple[str, ...] | set[str] = ()) -> list[str]:
    """Citation keys of the text; raise if one is neither in references.bib nor `generated` (the data's sources)."""
    bib = (root / PAPER_DIR / "references.bib").read_text(encoding="utf-8")
    defined = set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib)) | set(generated)
    body = re.sub(r"\A---.*?^---", "", text, count=1, flags=re.S | re.M)  # the YAML header
    body = re.sub(r"`[^`]*`", "", body)  # code spans
    used = sorted(set(CITATION.findall(body)))
    missing = [key for key in used if key not in defined]
    if missing:
        raise PaperError(f"{PAPER_DIR}/paper.md cites {missing}, not in {PAPER_DIR}/references.bib")
    return used


def fingerprint(root: Path, stems: list[str], steps: set[str]) -> dict[str, str]:
    files = [root / PAPER_DIR / name for name in ("paper.md", "references.bib", "chicago-author-date.csl")]
    files += [root / FIGURES_DIR / f"{stem}.png" for stem in stems]
    files += [root / RESULTS_DIR / f"{step}.json" for step in sorted(steps)]
    files += [root / f"{CLAIMS_REPORT}.json", root / CSL_FILE, *sorted(Path(__file__).parent.glob("*.py"))]
    return {str(p.relative_to(root)) if p.is_relative_to(root) else p.name: sha256_file(p) for p in files if p.is_file()}


def build(root: Path | None = None, formats: tuple[str, ...] = FORMATS, force: bool = False,
          log: Callable[[str], None] = print) -> dict[str, Path]:
    """Build paper/_build/paper.{html,pdf,docx}; skip when nothing it reads has changed."""
    import pypandoc

    pipeline = load_pipeline(root)
    root = pipeline.root
    text, stems, steps = render(root, pipeline)
    csl = write_csl(root)  # paper/_build/data-sources.json: the documents the data rest on
    check_citations(root, text, {item["id"] for item in json.loads(csl.read_text(encoding="utf-8"))})
    out_dir = root / BUILD_DIR
    targets = {fmt: out_dir / f"paper.{fmt}" for fmt in formats}
    stamp = out_dir / ".fingerprint.json"
    current = fingerprint(root, stems, steps) | {"formats": ",".join(formats), "text": hashlib.sha256(text.encode()).hexdigest()}
    if not force and stamp.is_file() and all(p.is_file() for p in targets.values()):
        if json.loads(stamp.read_text(encoding="utf-8")) == current:
            log("paper: fresh (nothing it reads has changed)")
            write_index(root, pipeline)
            return targets
    out_dir.mkdir(parents=True, exist_ok=True)
    paper_dir = root / PAPER_DIR
    common = ["--citeproc", f"--bibliography={paper_dir / 'references.bib'}", f"--bibliography={csl}", f"--csl={paper_dir / 'chicago-author-date.csl'}",
              f"--resource-path={out_dir}", "--metadata=link-citations:true"]
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".tmp-") as tmp:
        tmp_dir = Path(tmp)
        filled = out_dir / "paper.filled.md"  # the manuscript with numbers in: for inspection
        filled_tmp = tmp_dir / "paper.filled.md"
        filled_tmp.write_text(text, encoding="utf-8")
        staged = {}
        for fmt in formats:
            staged[fmt] = tmp_dir / f"paper.{fmt}"
            if fmt == "html":
                header = tmp_dir / "cjk-font.html"  # the PDF's Chinese font, a subset, as a web font
                header.write_text(f'<style id="scs-cjk-font">{font_face(root, text, "serif")}\n{PAPER_FONTS}</style>\n',
                                  encoding="utf-8")
                pypandoc.convert_file(str(filled_tmp), "html", outputfile=str(staged[fmt]), cworkdir=str(out_dir),
                                      extra_args=[*common, "--standalone", "--embed-resources", "--toc",
                                                  f"--include-in-header={header}",
                                                  "--metadata=title-prefix:scs-compendium"])
            elif fmt == "docx":  # A4, the project's fonts, dated by the commit (see outputs/docx.py)
                reference = write_reference_docx(pypandoc.get_pandoc_path(), tmp_dir / "reference.docx")
                with fixed_date(root):
                    pypandoc.convert_file(str(filled_tmp), "docx", outputfile=str(staged[fmt]), cworkdir=str(out_dir),
                                          extra_args=[*common, f"--reference-doc={reference}"])
            elif fmt == "pdf":
                typ = tmp_dir / "paper.typ"
                page = tmp_dir / "page.json"  # A4, the journal's type area (see outputs/pdf.py)
                page.write_text(json.dumps(PAGE), encoding="utf-8")
                pypandoc.convert_file(str(filled_tmp), "typst", outputfile=str(typ), cworkdir=str(out_dir),
                                      extra_args=[*common, "--standalone", f"--variable=header-includes:{TYPST_HEADER}",
                                                  f"--metadata-file={page}"])
                compile_pdf(typ, staged[fmt], root)
            else:
                raise PaperError(f"unknown paper format {fmt!r}; formats: {list(FORMATS)}")
            log(f"paper: {fmt} built")
        for fmt, path in staged.items():
            shutil.move(str(path), targets[fmt])
        shutil.move(str(filled_tmp), filled)
    atomic_write_json(stamp, current)
    write_index(root, pipeline)  # the start page links the paper now
    return targets
