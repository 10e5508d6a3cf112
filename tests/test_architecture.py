"""The project's structure, checked by reading the source (AST only; nothing is imported).

Layers, lowest first; a module may import its own layer or lower ones, never a higher one:

    0  model.base                       fields and units
    1  model.core                       architecture, hardware, ops, roofline, metrics
    2  model.schema, model.catalog      scenario keys and presets (may import each other, no cycle)
    3  model.report, model.pricing, model.serving, model.disaggregation, model.caching,
       model.scaling, model.calibration  the domains: independent of each other except DOMAIN_EDGES
    4  model.cli, ui                    the command line and the Streamlit pieces (not each other);
       model (model/__init__.py)        the package's public names, re-exported from layers 0-3, so
                                        it sits above them: code inside model/ never imports it
    5  pages, app, model.__main__       entry points

and: no import cycles, imports at module top level only, no Streamlit/Plotly in model/, modules of
at most MAX_LINES lines, a docstring in every package's __init__.py, no sys.path edits in tests/ or
benchmarks/ (pyproject.toml puts the root on pytest's path; benchmarks run as `python -m
benchmarks.NAME`), every cited repository document present, and pyproject.toml's pins equal to the
requirements files'.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("model", "ui", "pages")
MAX_LINES = 400

DOMAINS = ("model.report", "model.pricing", "model.serving", "model.disaggregation", "model.caching",
           "model.scaling", "model.calibration")
LAYERS = {
    "model.base": 0,
    "model.core": 1,
    "model.schema": 2, "model.catalog": 2,
    **dict.fromkeys(DOMAINS, 3),
    "model.cli": 4, "ui": 4, "model": 4,
    "pages": 5, "app": 5, "model.__main__": 5,
}
# Imports between different components of one layer that are allowed (everything else in the same
# layer is not): schema and catalog read each other; these domain edges are the only ones; the CLI
# and the dashboard both use the package's public names.
SAME_LAYER_EDGES = {
    "model.schema": {"model.catalog"},
    "model.catalog": {"model.schema"},
    # the domain edges
    "model.serving": {"model.disaggregation"},
    "model.calibration": {"model.report"},
    "model.report": {"model.pricing"},  # the knees and the SLO batch are output columns (issue 13)
    # layer 4: public names of the package
    "model.cli": {"model"},
    "ui": {"model"},
    # layer 5: `python -m model` runs the CLI
    "model.__main__": {"model.cli"},
}
DOMAIN_EDGES = {k: v for k, v in SAME_LAYER_EDGES.items() if k in DOMAINS}
UI_LIBRARIES = ("streamlit", "plotly")


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (one of ours) or external top-level name
    line: int
    top_level: bool  # a statement of the module body itself (not inside def/class/if/try/with)

    def where(self, modules) -> str:
        return f"{modules[self.source].relative_to(ROOT)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    files = [ROOT / "app.py"] + [p for d in SOURCE_DIRS for p in sorted((ROOT / d).rglob("*.py"))]
    return {module_name(p): p for p in files}


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def component(module: str) -> str:
    """The LAYERS key a module belongs to (longest matching prefix)."""
    best = max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len, default=None)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """Every import statement of a module, resolved to our modules where it names one."""
    tree = parse(path)
    is_package = path.name == "__init__.py"
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                targets.append(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        else:
            continue
        for target in dict.fromkeys(targets):
            found.append(Import(name, target, node.lineno, id(node) in top))
    return found


def all_imports() -> tuple[dict[str, Path], list[Import]]:
    modules = project_modules()
    return modules, [i for name, path in modules.items() for i in imports_of(name, path, modules)]


def internal(imports, modules):
    return [i for i in imports if i.target in modules and i.target != i.source]


def test_no_module_imports_a_higher_layer_or_a_sibling_component():
    modules, imports = all_imports()
    offenders = []
    for i in internal(imports, modules):
        src, dst = component(i.source), component(i.target)
        if LAYERS[dst] > LAYERS[src]:
            offenders.append(f"{i.where(modules)}: {i.source} (layer {LAYERS[src]}) imports {i.target} "
                             f"(layer {LAYERS[dst]})")
        elif LAYERS[dst] == LAYERS[src] and dst != src and dst not in SAME_LAYER_EDGES.get(src, ()):
            offenders.append(f"{i.where(modules)}: {i.source} imports {i.target}: {src} -> {dst} is not an "
                             f"allowed edge within layer {LAYERS[src]}")
    assert not offenders, "layering violations:\n" + "\n".join(offenders)


def test_domain_edges_are_the_only_ones_between_domains():
    # The dict above is the contract; this keeps it honest about what it lists.
    assert DOMAIN_EDGES == {"model.serving": {"model.disaggregation"}, "model.calibration": {"model.report"},
                            "model.report": {"model.pricing"}}
    assert all(LAYERS[k] == 3 and all(LAYERS[t] == 3 for t in v) for k, v in DOMAIN_EDGES.items())


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def test_no_import_cycles():
    modules, imports = all_imports()
    graph: dict[str, set[str]] = {}
    lines: dict[tuple[str, str], str] = {}
    for i in internal(imports, modules):
        graph.setdefault(i.source, set()).add(i.target)
        lines.setdefault((i.source, i.target), i.where(modules))
    found = cycles(graph)
    report = []
    for group in found:
        members = set(group)
        edges = [f"    {lines[(a, b)]}: {a} -> {b}" for a in group for b in sorted(graph[a] & members)]
        report.append(" <-> ".join(group) + "\n" + "\n".join(edges))
    assert not found, "import cycles:\n" + "\n".join(report)


def test_imports_are_at_module_top_level_only():
    modules, imports = all_imports()
    offenders = [f"{i.where(modules)}: import of {i.target} inside a function, class or block"
                 for i in imports if not i.top_level]
    assert not offenders, "\n".join(offenders)


def test_model_never_imports_streamlit_or_plotly():
    modules, imports = all_imports()
    offenders = [f"{i.where(modules)}: {i.source} imports {i.target}" for i in imports
                 if (i.source == "model" or i.source.startswith("model."))
                 and i.target.split(".")[0] in UI_LIBRARIES]
    assert not offenders, "\n".join(offenders)


def test_modules_are_at_most_400_lines():
    modules = project_modules()
    long = [f"{path.relative_to(ROOT)}: {n} lines" for path in modules.values()
            if path.parts[len(ROOT.parts)] in SOURCE_DIRS
            and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not long, f"modules over {MAX_LINES} lines:\n" + "\n".join(long)


def test_every_package_has_an_init_with_a_docstring():
    problems = []
    for top in ("model", "ui"):
        for directory in sorted({p.parent for p in (ROOT / top).rglob("*.py")}):
            init = directory / "__init__.py"
            if not init.exists():
                problems.append(f"{directory.relative_to(ROOT)}/: no __init__.py")
            elif not (ast.get_docstring(parse(init)) or "").strip():
                problems.append(f"{init.relative_to(ROOT)}: no docstring")
    assert not problems, "\n".join(problems)


def test_no_sys_path_edits_in_tests_or_benchmarks():
    offenders = []
    for path in sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]):
        for node in ast.walk(parse(path)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("insert", "append", "extend")
                    and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "path"
                    and isinstance(node.func.value.value, ast.Name) and node.func.value.value.id == "sys"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: sys.path.{node.func.attr}")
    assert not offenders, "the root is importable without these:\n" + "\n".join(offenders)


def test_benchmarks_and_pytest_use_the_root_as_import_path():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["pytest"]["ini_options"]["pythonpath"] == [".", "tests"]  # the root, and the test helpers
    assert (ROOT / "benchmarks" / "__init__.py").exists()  # run as python -m benchmarks.NAME
    assert not (ROOT / "pytest.ini").exists()  # one pytest configuration: pyproject.toml


# A repository document: `docs/NAME.md`, or a document named alone (`README.md`, at the root or in docs/),
# not inside a URL (`.../docs/x.md`) and not after another repository's name
# (`NVIDIA/TensorRT-LLM docs/source/performance.md` cites that repository).
DOC_REFERENCE = re.compile(r"(?<![\w/.-])docs/[\w./-]*\w\.md\b")
OTHER_REPOSITORY = re.compile(r"[\w.-]+/[\w.-]+\s+$")
BARE_DOC = re.compile(r"(?<![\w/.-])[A-Z][A-Z0-9_]*\.md\b")  # a document named alone (README.md): root or docs/
CITING_DIRS = ("model", "ui", "pages", "presets")


def cited_document_problems() -> list[str]:
    problems = []
    for directory in CITING_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            if not path.is_file() or path.suffix not in (".py", ".csv", ".json", ".md", ".toml", ".txt"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                where = f"{path.relative_to(ROOT)}:{number}"
                for match in BARE_DOC.finditer(line):
                    if OTHER_REPOSITORY.search(line[: match.start()]):
                        continue
                    if not any((folder / match.group()).is_file() for folder in (ROOT, ROOT / "docs")):
                        problems.append(f"{where}: cites {match.group()}, which is not in the repository")
                for match in DOC_REFERENCE.finditer(line):
                    if OTHER_REPOSITORY.search(line[: match.start()]):
                        continue
                    if not (ROOT / match.group()).is_file():
                        problems.append(f"{where}: cites {match.group()}, which does not exist")
    return problems


def test_cited_documents_exist():
    problems = cited_document_problems()
    assert not problems, f"{len(problems)} citations of missing documents:\n" + "\n".join(problems)


def test_document_citation_scan_sees_local_and_skips_external_references():
    line = "see docs/formulas.md and NVIDIA/TensorRT-LLM docs/source/performance.md and https://x.org/docs/y.md"
    local = [m.group() for m in DOC_REFERENCE.finditer(line) if not OTHER_REPOSITORY.search(line[: m.start()])]
    assert local == ["docs/formulas.md"]


def pins(lines) -> dict[str, str]:
    result = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, version = line.split("==")
            result[name.strip().lower()] = version.strip()
    return result


def test_pyproject_pins_equal_the_requirements_files():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = pins((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    dev = pins((ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines())
    assert pins(project["dependencies"]) == runtime
    assert pins(project["optional-dependencies"]["dev"]) == dev
    assert "ruff" in dev  # scripts/test.sh runs `ruff check .` at this version
