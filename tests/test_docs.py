"""The user documentation stays true to the code.

* ``examples/quickstart.ipynb`` runs from top to bottom without errors and draws charts;
* every ```` ```python ```` block in ``docs/*.md`` runs, in page order, one namespace per page,
  in a temporary working directory, with warnings ignored. A block preceded by the line
  ``<!-- not-run -->`` is illustrative only (it needs the reader's files) and is skipped. A
  ```` ```text ```` block preceded by ``<!-- output -->`` must equal what the python block
  before it printed;
* every relative link in the docs points to an existing file, and to an existing heading
  when it names one.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.util
import io
import json
import re
import sys
import traceback
import types
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"
PAGES = sorted(DOCS.glob("*.md"))
EXPECTED_PAGES = ("index", "quickstart", "pipeline", "settings", "dutch", "survivorship", "faq")
NOT_RUN = "<!-- not-run -->"
OUTPUT = "<!-- output -->"
#: Seconds one notebook cell may take (the whole notebook takes well under a minute).
CELL_TIMEOUT = 300

_FENCE = re.compile(r"^```([\w+-]*)\s*$")
_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a markdown page."""

    language: str
    code: str
    line: int  # line of the opening fence, 1-based
    marker: str | None  # the HTML comment just before the fence, if any


def code_blocks(text: str) -> list[Block]:
    """The fenced blocks of a page, in order (fences start at the beginning of a line)."""
    lines = text.splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        if end == len(lines):
            raise ValueError(f"code fence opened at line {i + 1} is never closed")
        before = next((s.strip() for s in reversed(lines[:i]) if s.strip()), "")
        marker = before if before.startswith("<!--") else None
        found.append(Block(opening.group(1), "\n".join(lines[i + 1:end]) + "\n", i + 1, marker))
        i = end + 1
    return found


def prose(text: str, *, inline_code: bool = False) -> str:
    """The page without its fenced blocks and, unless ``inline_code``, without inline code."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines():
        if _FENCE.match(line) or (inside and line.rstrip() == "```"):
            inside = not inside
            kept.append("")
            continue
        kept.append("" if inside else line if inline_code else _INLINE_CODE.sub("", line))
    return "\n".join(kept)


def anchors(text: str) -> set[str]:
    """GitHub-style anchors of the page's headings (``## Foo bar?`` -> ``foo-bar``)."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for line in text.splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading is None:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).replace("`", "").lower())
        slug = slug.replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        out.add(slug if count == 0 else f"{slug}-{count}")
    return out


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def _failure(page: Path, block: Block, exc: BaseException) -> str:
    """Where a docs block failed: page line, source line and the error."""
    name = f"{page.name}:{block.line}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == name]
    where = f"code block at line {block.line}"
    if frames and frames[-1].lineno:
        lineno = frames[-1].lineno
        source = block.code.splitlines()[lineno - 1].strip()
        where = f"line {block.line + lineno}: {source}"
    return f"{page.name}, {where}\n{type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------- the pages
def test_every_page_exists() -> None:
    assert {p.stem for p in PAGES} >= set(EXPECTED_PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_docs_code_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    module = types.ModuleType(f"docs_{page.stem}")  # a real module: dataclasses need one
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    printed: str | None = None
    for block in code_blocks(page.read_text(encoding="utf-8")):
        if block.language == "python":
            if block.marker == NOT_RUN:
                printed = None
                continue
            stdout = io.StringIO()
            with warnings.catch_warnings(), contextlib.redirect_stdout(stdout):
                warnings.simplefilter("ignore")
                try:
                    exec(compile(block.code, f"{page.name}:{block.line}", "exec"), namespace)
                except Exception as exc:
                    pytest.fail(_failure(page, block, exc), pytrace=False)
            printed = stdout.getvalue()
        elif block.marker == OUTPUT:
            assert printed is not None, (
                f"{page.name}:{block.line}: an output block needs a python block that runs "
                "before it")
            if _lines(printed) != _lines(block.code):
                diff = "\n".join(difflib.unified_diff(
                    _lines(block.code), _lines(printed), "documented", "printed", lineterm=""))
                pytest.fail(f"{page.name}:{block.line}: the documented output is stale\n{diff}",
                            pytrace=False)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def test_relative_links_resolve() -> None:
    sources = [*PAGES, NOTEBOOK.parent / "README.md"]
    broken: list[str] = []
    for page in sources:
        text = prose(page.read_text(encoding="utf-8"))
        for target in _LINK.findall(text):
            if _SCHEME.match(target):
                continue
            path_part, _, fragment = target.partition("#")
            path = (page.parent / path_part).resolve() if path_part else page
            if not path.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif fragment and path.suffix == ".md" and fragment not in anchors(
                    prose(path.read_text(encoding="utf-8"), inline_code=True)):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


# --------------------------------------------------------------------------- the notebook
def test_notebook_is_stored_without_outputs() -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"]


def test_notebook_runs_and_draws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [m for m in ("nbformat", "nbclient", "ipykernel", "matplotlib")
               if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"running the notebook needs {', '.join(missing)} "
                    "(pip install -e '.[dev]')")
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, startup_timeout=120,
                            kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    errors = [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]
    assert not errors
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, f"expected at least two charts, got {len(images)}"
