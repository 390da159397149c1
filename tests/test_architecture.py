"""House rules a machine can check: layering (import-linter contracts in pyproject.toml),
feature surfaces, and page size. The contracts are proven to bite by breaking a copy."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from palm.settings import PROJECT_ROOT

PAGE_IMPORTS = {"streamlit", "palm.ui", "palm.vocabulary"}
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=root, capture_output=True, text=True, check=False
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The packages and their contracts, copied so a test can break them."""
    for package in ("palm", "workers"):
        shutil.copytree(
            PROJECT_ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.json"),
        )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_import_contracts_hold() -> None:
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(tree_copy: Path) -> None:
    add_line(tree_copy / "palm" / "vision" / "arrays.py", "import palm.readings")
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert "palm is layered" in result.stdout and "palm.vision.arrays -> palm.readings" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("module", "line", "edge"),
    [
        ("readings/store.py", "import palm.api", "palm.readings.store -> palm.api"),
        ("api/deps.py", "import palm.ui.text", "palm.api.deps -> palm.ui.text"),
        ("ui/text.py", "import palm.api.problems", "palm.ui.text -> palm.api.problems"),
    ],
)
def test_the_api_is_an_entry_layer_beside_the_ui(
    tree_copy: Path, module: str, line: str, edge: str
) -> None:
    """No feature imports the API, and the API and the UI never import each other."""
    add_line(tree_copy / "palm" / module, line)
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert "palm is layered" in result.stdout and edge in result.stdout


def test_reaching_into_a_feature_breaks_its_surface(tree_copy: Path) -> None:
    add_line(tree_copy / "palm" / "ui" / "navigation.py", "from palm.chat.threads import rename")
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert "palm.chat is used through its __init__" in result.stdout
    assert "palm.ui.navigation -> palm.chat.threads" in result.stdout


def test_the_ui_may_not_name_sqlalchemy(tree_copy: Path) -> None:
    add_line(tree_copy / "palm" / "ui" / "navigation.py", "import sqlalchemy")
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert "the UI names no database" in result.stdout


def test_pages_are_layouts_over_the_ui_only() -> None:
    for path in (PROJECT_ROOT / "views").glob("*.py"):
        outside = {
            module
            for module in imported_modules(path)
            if not any(
                module == allowed or module.startswith(allowed + ".") for allowed in PAGE_IMPORTS
            )
        }
        assert outside == set(), f"{path.name} imports {outside}"
        assert len(path.read_text().splitlines()) <= 80, f"{path.name} is over 80 lines"


def test_the_page_guard_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "leak.py"
    sample.write_text("def f():\n    from palm.readings import store\n")
    assert "palm.readings" in imported_modules(sample)
