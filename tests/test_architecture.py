"""House rules a machine can check: layering and page size."""

from __future__ import annotations

import ast
from pathlib import Path

from palm.settings import PROJECT_ROOT

FORBIDDEN_IN_PAGES = {"sqlalchemy", "redis", "rq", "openai", "cv2", "mediapipe"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_palm_outside_ui_never_imports_streamlit() -> None:
    ui = PROJECT_ROOT / "palm" / "ui"
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "palm").rglob("*.py")
        if ui not in path.parents and "streamlit" in imported_roots(path)
    ]
    assert offenders == []


def test_workers_never_import_streamlit() -> None:
    offenders = [
        path.name
        for path in (PROJECT_ROOT / "workers").rglob("*.py")
        if "streamlit" in imported_roots(path)
    ]
    assert offenders == []


def test_pages_are_layouts_only() -> None:
    for path in (PROJECT_ROOT / "pages").glob("*.py"):
        assert imported_roots(path).isdisjoint(FORBIDDEN_IN_PAGES), path.name
        assert len(path.read_text().splitlines()) <= 80, f"{path.name} is over 80 lines"


def test_the_guard_sees_a_streamlit_import(tmp_path: Path) -> None:
    sample = tmp_path / "leak.py"
    sample.write_text("def f():\n    from streamlit import session_state\n")
    assert "streamlit" in imported_roots(sample)
