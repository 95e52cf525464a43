"""The limits the code keeps (services, kernel, development tools): no source file over
500 lines, no function over 80, and no Arabic or French text written into the code
(`ar=`/`fr=` literals) outside seed data: every word a person reads comes from the
gettext catalogs, data in three languages from the seed or the database."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80


def sources() -> Iterator[Path]:
    for top in ("services", "shared", "devtools"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if ".venv" not in path.parts:
                yield path


def is_seed(path: Path) -> bool:
    return path.stem == "seed" or path.parent.name == "seed" or path.stem.startswith("seed_")


def test_no_source_file_is_over_500_lines() -> None:
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in sources()
        if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES
    }
    assert long == {}


def test_no_function_is_over_80_lines() -> None:
    long: dict[str, int] = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.name}"] = length
    assert long == {}


def arabic_or_french_literals(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.keyword)
            and node.arg in ("ar", "fr")
            and isinstance(node.value, ast.Constant | ast.JoinedStr)
        ):
            yield f"{path.relative_to(ROOT).as_posix()}:{node.value.lineno} {node.arg}="


@pytest.mark.parametrize("top", ["services", "shared", "devtools"])
def test_no_arabic_or_french_literal_outside_seed_data(top: str) -> None:
    found = [
        literal
        for path in sources()
        if path.relative_to(ROOT).parts[0] == top and not is_seed(path)
        for literal in arabic_or_french_literals(path)
    ]
    assert found == []
