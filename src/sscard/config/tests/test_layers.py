"""The apps' one-way layering and the absence of import cycles, as written in pyproject.toml
(``[tool.importlinter]``): a wrong import anywhere fails the suite.  The layers contract is exhaustive,
so a new app that is not placed in a layer fails too."""

import ast
from pathlib import Path

from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

PYPROJECT = Path(__file__).resolve().parents[4] / "pyproject.toml"


def test_import_contracts_are_kept():
    configure()
    assert lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True), "an import breaks a layer or makes a cycle: run lint-imports"



def imports_in_functions(source: str) -> list[int]:
    """Lines of imports inside a function with no comment (on the line or the one above) saying why."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    line, above = lines[sub.lineno - 1], lines[sub.lineno - 2] if sub.lineno > 1 else ""
                    if "#" not in line and not above.strip().startswith("#"):
                        found.append(sub.lineno)
    return found


def test_imports_sit_at_the_top_unless_a_comment_says_why():
    src = PYPROJECT.parent / "src" / "sscard"
    found = {}
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel:
            continue
        lines = imports_in_functions(path.read_text(encoding="utf-8"))
        if lines:
            found[rel] = lines
    assert found == {}


def test_the_import_scan_sees_an_unexplained_import():
    source = "def f():\n    import os\n\n    # loaded on first use\n    import json\n    import re  # why\n"
    assert imports_in_functions(source) == [2]
