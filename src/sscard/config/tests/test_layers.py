"""The apps' one-way layering and the absence of import cycles, as written in pyproject.toml
(``[tool.importlinter]``): a wrong import anywhere fails the suite.  The layers contract is exhaustive,
so a new app that is not placed in a layer fails too."""

from pathlib import Path

from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

PYPROJECT = Path(__file__).resolve().parents[4] / "pyproject.toml"


def test_import_contracts_are_kept():
    configure()
    assert lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True), "an import breaks a layer or makes a cycle: run lint-imports"

