"""The packages import one way only: each layer may import the layers below it, never above."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. A module may import its own layer and any layer before it in this list.
LAYERS: list[tuple[str, ...]] = [
    ("models",),
    ("pipeline.base",),
    ("pipeline.reading",),
    ("extractors",),
    ("pipeline.running",),
    ("flows",),
    ("app",),
]


def layer_of(module: str) -> int | None:
    """The index of the layer a dotted module name belongs to (None: not ours)."""
    for index, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    if module == "pipeline":
        return 1  # the package itself only holds the version
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, package: str) -> set[str]:
    """Every module an ``import`` or ``from … import`` names, wherever it stands."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def upward_imports() -> list[str]:
    found = []
    for prefixes in LAYERS:
        for prefix in prefixes:
            folder = ROOT.joinpath(*prefix.split("."))
            for path in sorted(folder.rglob("*.py")):
                module = module_name(path)
                own = layer_of(module)
                assert own is not None
                package = module if path.name == "__init__.py" else module.rpartition(".")[0]
                tree = ast.parse(path.read_text(encoding="utf-8"))
                for name in sorted(imported(tree, package)):
                    target = layer_of(name)
                    if target is not None and target > own:
                        found.append(f"{module} ({LAYERS[own][0]}) imports {name}")
    return found


def test_no_layer_imports_a_higher_one() -> None:
    assert upward_imports() == []


def test_the_check_sees_an_upward_import() -> None:
    tree = ast.parse("def f():\n    from flows.batch import extract_folder\n")
    names = imported(tree, "pipeline.reading")
    assert any(layer_of(n) == 5 for n in names)
    assert layer_of("pipeline.reading.reader") < layer_of("extractors.ucap")
