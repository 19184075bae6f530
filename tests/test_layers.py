"""The layers are a one-way stack, checked on every import in every installed module.

    devtools    devtools/ (not installed): sample-call synthesis, screenshot driver, LLM stand-in
    app         hotline.app (app/) and hotline/__main__.py: CLI, demo, services, status, reconcile
    dashboards  hotline.dashboards
    warehouse   hotline.warehouse (+ hotline.sql, its queries), incl. the scheduled jobs and rejudge
    stages      hotline.ingest | hotline.asr | hotline.inspection (independent)
    kernel      hotline (hotline/): contracts, settings, bus, broker, errors, model_parts

A module may import its own component and any lower layer, never a higher one nor a sibling of
its own layer; the kernel imports no stage. Imports at any depth (inside functions too), absolute
and relative, and ``importlib.import_module("...")`` with a literal name all count.

devtools sits on top and may import anything, but it is not installed: no installed module may
import it, except inside the few app functions in DEVTOOLS_IMPORTERS (the commands that make the
sample calls, which run from a source checkout and say so when there is none).

Not import-linter: grimp builds its graph by walking the top-level package's folder (hotline/),
so the stages that pyproject.toml maps in from other folders (hotline.asr = asr/, ...) are
invisible to it (grimp.build_graph("hotline.asr") raises NotATopLevelModule).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# Lowest first. Components on one layer may not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("kernel",),
    ("ingest", "asr", "inspection"),
    ("warehouse",),
    ("dashboards",),
    ("app",),
    ("devtools",),
)
# Module prefix -> component; the longest matching prefix wins.
COMPONENTS = {
    "hotline": "kernel",
    "hotline.ingest": "ingest",
    "hotline.asr": "asr",
    "hotline.inspection": "inspection",
    "hotline.warehouse": "warehouse",
    "hotline.sql": "warehouse",
    "hotline.dashboards": "dashboards",
    "hotline.app": "app",
    "hotline.__main__": "app",  # `python -m hotline` needs it in hotline/; it only starts the app's CLI
    "devtools": "devtools",  # a top-level package of the checkout, never installed
}
# The only installed code that may import devtools: these functions (module.function), lazily, inside
# their bodies. They make the sample calls from a source checkout (app/cli.py binds its devtools/).
DEVTOOLS_IMPORTERS = frozenset({
    "hotline.app.cli.samples",             # `hotline samples`
    "hotline.app.cli.workorders_sample",   # `hotline workorders sample`: events for the sample calls
    "hotline.app.demo.run_demo",           # `hotline demo` makes the sample calls first
})
LEVEL = {component: level for level, components in enumerate(LAYERS) for component in components}


def component_of(module: str) -> str | None:
    """The component a hotline module belongs to (None for anything outside hotline)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        found = COMPONENTS.get(".".join(parts[:n]))
        if found is not None:
            return found
    return None


def installed_modules(root: Path) -> list[tuple[str, Path]]:
    """(module name, file) of every .py file in the packages pyproject.toml installs."""
    tool = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    package_dir: dict[str, str] = tool.get("package-dir", {})
    found = []
    for package in tool["packages"]:
        folder = package_dir.get(package)
        if folder is None:  # a subpackage without its own mapping sits under its parent's folder
            parent, _, leaf = package.rpartition(".")
            folder = str(Path(package_dir.get(parent, parent.replace(".", "/"))) / leaf)
        for path in sorted((root / folder).glob("*.py")):
            found.append((package if path.stem == "__init__" else f"{package}.{path.stem}", path))
    return found


def _enclosing_functions(tree: ast.AST) -> dict[int, str]:
    """id(node) -> dotted name of the function (or class) it sits in, "" at module level."""
    found: dict[int, str] = {}

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{scope}.{child.name}" if scope else child.name
            found[id(child)] = inner
            visit(child, inner)

    visit(tree, "")
    return found


def _imported(tree: ast.AST, module: str, is_package: bool):
    """(line, imported name, module it is imported from, enclosing function) for every import in the
    tree, at any depth."""
    package = module if is_package else module.rpartition(".")[0]
    scopes = _enclosing_functions(tree)
    for node in ast.walk(tree):
        for line, name, source in _names_imported_by(node, package):
            yield line, name, source, scopes.get(id(node), "")


def _names_imported_by(node: ast.AST, package: str):
    """(line, imported name, module it is imported from) for each name one node imports."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield node.lineno, alias.name, alias.name
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        # `from hotline import app` names a module: resolve each name, the longest prefix decides.
        for alias in node.names:
            yield node.lineno, source if alias.name == "*" else f"{source}.{alias.name}", source
    elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
          and isinstance(node.args[0].value, str)
          and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
               or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__")))):
        yield node.lineno, node.args[0].value, node.args[0].value


def violations(root: Path) -> list[str]:
    """Every import that goes up the stack or sideways between components, as `file:line: ...`."""
    found = []
    modules = installed_modules(root)
    for package in tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]:
        if package != "hotline" and component_of(package) == "kernel":
            found.append(f"pyproject.toml: package {package} has no layer: add it to COMPONENTS in tests/test_layers.py")
    for module, path in modules:
        own = component_of(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name, source, function in _imported(tree, module, path.stem == "__init__"):
            other = component_of(name)
            if other is None or other == own:
                continue
            if other == "devtools":
                if f"{module}.{function}" in DEVTOOLS_IMPORTERS:
                    continue
                why = "devtools is not installed: only the functions in DEVTOOLS_IMPORTERS may import it, inside them"
            elif LEVEL[other] > LEVEL[own]:
                why = f"{own} may not import {other}, a higher layer"
            elif LEVEL[other] == LEVEL[own]:
                why = f"{own} may not import {other}, its sibling on the same layer"
            else:
                continue
            shown = source if component_of(source) == other else name  # one line per `from x import a, b`
            message = f"{path.relative_to(root)}:{line}: {module} imports {shown} ({why})"
            if message not in found:
                found.append(message)
    return found


def test_imports_only_go_down_the_stack():
    found = violations(REPO_ROOT)
    assert not found, "imports against the layers (tests/test_layers.py):\n" + "\n".join(found)


def test_every_installed_folder_is_checked():
    modules = dict(installed_modules(REPO_ROOT))
    for module in ("hotline.contracts", "hotline.__main__", "hotline.app.cli", "hotline.ingest.stream", "hotline.asr.worker",
                   "hotline.inspection.worker", "hotline.warehouse.jobs", "hotline.dashboards.app", "hotline.dashboards.views.call"):
        assert module in modules, module
    assert {component_of(m) for m in modules} == set(LEVEL) - {"devtools"}


def test_devtools_is_not_installed():
    tool = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {package: folder.rstrip("/") for package, folder in tool.get("package-dir", {}).items()}
    assert not [p for p in tool["packages"] if component_of(p) == "devtools" or folders.get(p, "").split("/")[0] == "devtools"]
    assert not [p for p in tool.get("package-data", {}) if component_of(p) == "devtools"]
    assert (REPO_ROOT / "devtools" / "__init__.py").is_file()
    for moved in ("samples", "dashboards/screenshots.py", "inspection/standin.py"):
        assert not (REPO_ROOT / moved).exists(), f"{moved} is development-only: it belongs in devtools/"


def test_every_devtools_importer_exists_and_imports_it():
    """A stale allowlist entry would quietly let a future import through."""
    modules = dict(installed_modules(REPO_ROOT))
    for entry in DEVTOOLS_IMPORTERS:
        module, _, function = entry.rpartition(".")
        tree = ast.parse(modules[module].read_text(encoding="utf-8"))
        imports = {name for _, name, _, where in _imported(tree, module, False) if where == function}
        assert any(component_of(name) == "devtools" for name in imports), entry


def test_the_checker_catches_planted_violations(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.setuptools]\n'
        'package-dir = { "hotline" = "hotline", "hotline.ingest" = "ingest", "hotline.asr" = "asr", '
        '"hotline.warehouse" = "warehouse", "hotline.app" = "app" }\n'
        'packages = ["hotline", "hotline.ingest", "hotline.asr", "hotline.warehouse", "hotline.app", "hotline.app.sub"]\n',
        encoding="utf-8")
    files = {
        "hotline/__init__.py": "",
        "hotline/bus.py": "from hotline.contracts import Contract\n\n\ndef f():\n    from hotline.app import cli\n",
        "hotline/contracts.py": "import importlib\nContract = importlib.import_module('hotline.warehouse.reader')\n",
        "ingest/__init__.py": "",
        "ingest/stream.py": "from hotline.bus import Publisher\nfrom .. import asr\nfrom .recording import read\n",
        "ingest/recording.py": "",
        "asr/__init__.py": "",
        "warehouse/__init__.py": "",
        "warehouse/jobs.py": "from hotline.ingest.stream import x\nimport hotline.asr\n\n\ndef g():\n    import hotline.app.cli\n",
        "app/__init__.py": "",
        "app/cli.py": "from hotline.warehouse import jobs\nfrom hotline import bus\nfrom .sub import thing\n",
        "app/sub/__init__.py": "from ...warehouse.jobs import run\nfrom .. import cli\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert violations(tmp_path) == [
        "hotline/bus.py:5: hotline.bus imports hotline.app (kernel may not import app, a higher layer)",
        "hotline/contracts.py:2: hotline.contracts imports hotline.warehouse.reader (kernel may not import warehouse, a higher layer)",
        "ingest/stream.py:2: hotline.ingest.stream imports hotline.asr (ingest may not import asr, its sibling on the same layer)",
        "warehouse/jobs.py:6: hotline.warehouse.jobs imports hotline.app.cli (warehouse may not import app, a higher layer)",
    ]


def test_the_checker_allows_devtools_only_inside_the_listed_app_functions(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.setuptools]\npackage-dir = { "hotline" = "hotline", "hotline.ingest" = "ingest", "hotline.app" = "app" }\n'
        'packages = ["hotline", "hotline.ingest", "hotline.app"]\n', encoding="utf-8")
    files = {
        "hotline/__init__.py": "",
        "ingest/__init__.py": "",
        "ingest/stream.py": "def f():\n    from devtools.samples.generate import make_samples\n",
        "app/__init__.py": "",
        "app/cli.py": ("import devtools\n\n\ndef samples():\n    from devtools.samples.generate import make_samples\n\n\n"
                       "def export():\n    import devtools.llm_standin\n"),
        "app/demo.py": ("def run_demo():\n    from devtools.samples import work_orders\n\n\n"
                        "class Demo:\n    def run_demo(self):\n        from devtools.samples import generate\n"),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert violations(tmp_path) == [
        "ingest/stream.py:2: hotline.ingest.stream imports devtools.samples.generate (devtools is not installed: only the functions in DEVTOOLS_IMPORTERS may import it, inside them)",
        "app/cli.py:1: hotline.app.cli imports devtools (devtools is not installed: only the functions in DEVTOOLS_IMPORTERS may import it, inside them)",
        "app/cli.py:9: hotline.app.cli imports devtools.llm_standin (devtools is not installed: only the functions in DEVTOOLS_IMPORTERS may import it, inside them)",
        "app/demo.py:7: hotline.app.demo imports devtools.samples (devtools is not installed: only the functions in DEVTOOLS_IMPORTERS may import it, inside them)",
    ]


def test_a_new_package_without_a_layer_is_reported(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.setuptools]\npackage-dir = { "hotline" = "hotline", "hotline.billing" = "billing" }\n'
        'packages = ["hotline", "hotline.billing"]\n', encoding="utf-8")
    for folder in ("hotline", "billing"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("", encoding="utf-8")
    assert violations(tmp_path) == [
        "pyproject.toml: package hotline.billing has no layer: add it to COMPONENTS in tests/test_layers.py"]
