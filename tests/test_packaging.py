"""`pip install .` installs the engine, the two figure scripts and the whole rnnpath package, with both console
scripts; and the tree holds at its top level only what the layout allows (issue 21)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARD = {"rnn_pathological.py", "visualize_rnn_pathological.py", "make_rnn_pathological_gif.py", "results.json",
        "rnn_pathological.gif", "README.md", "pyproject.toml"}
FOLDERS = {"rnnpath", "results", "docs", "cluster", "tests", "viz", ".ci"}


def test_every_top_level_module_and_the_package_are_installed():
    text = (ROOT / "pyproject.toml").read_text()  # tomllib is Python 3.11+, the suite runs on 3.10
    modules = set(re.findall(r'"(\w+)"', re.search(r"py-modules = \[(.*?)\]", text, re.DOTALL).group(1)))
    on_disk = {p.stem for p in ROOT.glob("*.py")}
    assert on_disk == modules, (on_disk - modules, modules - on_disk)
    assert 'include = ["rnnpath*"]' in text  # every subpackage (experiments, analyses) with it
    assert all((folder / "__init__.py").exists() for folder in (ROOT / "rnnpath").rglob("*")
               if folder.is_dir() and folder.name != "__pycache__")
    assert 'rnnpath = "rnnpath.__main__:main"' in text and 'rnn-pathological = "rnn_pathological:main"' in text


def test_the_top_level_holds_only_the_card_the_package_and_their_folders():
    tracked = {p.name for p in ROOT.iterdir() if not p.name.startswith(".") or p.name == ".ci"}
    ignored = {".venv", "runs", "build", "__pycache__", ".pytest_cache"}
    extra = {name for name in tracked - CARD - FOLDERS - ignored if not name.endswith(".egg-info")}
    assert not extra, extra


def imports_of(path: Path) -> set[str]:
    """The project modules `path` imports (absolute names), read from its source."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_import_graph_has_no_cycle_and_no_script_is_imported():
    """Modules of the engine, the figure scripts and the package: the graph of who imports whom is acyclic, and
    apart from the engine no top-level script is imported by anything."""
    paths = [*ROOT.glob("*.py"), *(ROOT / "rnnpath").rglob("*.py")]
    names = {module_name(p): p for p in paths}
    graph = {name: {m for m in imports_of(p) if m in names and m != name} for name, p in names.items()}
    for name, deps in graph.items():  # a package's __init__ is not an import of its own submodules
        graph[name] = {d for d in deps if not (name.startswith(d + ".") and (ROOT / Path(*d.split("."))).is_dir())}
    scripts = {"visualize_rnn_pathological", "make_rnn_pathological_gif"}
    for name, deps in graph.items():
        assert not deps & scripts, (name, deps & scripts)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            assert state.get(dep) != 1, " -> ".join([*trail, node, dep])
            if dep not in state:
                visit(dep, [*trail, node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert graph["rnn_pathological"] == set()  # the engine imports nothing of the project
