"""The READMEs' Python snippets, read as a newcomer copies them: every name they use is imported or defined there,
and every import works (the snippets are not run: they load models)."""

from __future__ import annotations

import ast
import builtins
import importlib
import re
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT

READMES = [PROJECT_ROOT / "README.md", PROJECT_ROOT / "evals" / "README.md"]
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def snippets() -> list[tuple[str, str]]:
    found = []
    for readme in READMES:
        for n, code in enumerate(_BLOCK.findall(readme.read_text(encoding="utf-8"))):
            found.append((f"{readme.relative_to(PROJECT_ROOT)}#{n}", code))
    return found


def parse(code: str) -> ast.Module:
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT  # the snippets may `await chain.ainvoke(...)`
    tree = compile(code, "<README>", "exec", flags=flags)
    assert isinstance(tree, ast.Module)
    return tree


def undefined_names(tree: ast.Module) -> set[str]:
    """Names the snippet reads that nothing binds: not a builtin, not imported, never assigned or looped over."""
    bound = set(dir(builtins))
    loaded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else loaded).add(node.id)
    return loaded - bound


@pytest.mark.parametrize(("where", "code"), snippets(), ids=[where for where, _ in snippets()])
def test_a_snippet_uses_only_names_it_imports_or_defines(where: str, code: str) -> None:
    assert undefined_names(parse(code)) == set(), where


@pytest.mark.parametrize(("where", "code"), snippets(), ids=[where for where, _ in snippets()])
def test_a_snippets_imports_exist(where: str, code: str) -> None:
    for node in ast.walk(parse(code)):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{where}: {node.module} has no {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)


def test_the_check_catches_a_missing_import() -> None:
    assert undefined_names(parse("from assistant import Assistant\nAssistant(config=Config())")) == {"Config"}


def test_there_are_snippets_to_check() -> None:
    assert len(snippets()) >= 2 and all(Path(readme).is_file() for readme in READMES)
