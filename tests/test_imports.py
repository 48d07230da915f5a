"""The build's data travels one way: no module of the deck imports a layer above its own.

Every import statement of every module is read (ast, so an import inside a function or
under TYPE_CHECKING counts too) and checked against `MAY_IMPORT`: each part of the
package, and the parts of the deck it may import. A new part must be placed here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "deck"

BASE = {"failure", "format", "theme", "system", "compat"}  # import nothing of the deck's above
# part → the parts it may import besides itself (a part is a subpackage or a top module)
MAY_IMPORT: dict[str, set[str]] = {
    "failure": set(),
    "format": set(),
    "theme": set(),
    "compat": set(),
    "system": {"failure", "compat"},
    "content": {"failure", "format", "theme", "system"},
    "talk": BASE | {"content", "project"},  # talk/options.py resolves within a project
    "project": {"content", "talk"},
    "components": BASE | {"content", "talk"},
    "scenes": BASE | {"content", "talk", "components"},
    "testing": BASE | {"components"},
    "export": BASE | {"content", "talk", "project"},
    "build": BASE | {"content", "talk", "project", "scenes", "export"},
    "commands": BASE | {"content", "talk", "project", "scenes", "export", "build"},
    "cli": BASE | {"talk", "project", "build", "commands"},
    "__main__": {"cli"},
}
NO_MANIM = {"content", "talk", "project", "system", "failure", "format", "theme"}


def part_of(module: str) -> str:
    """`deck.export.html` → `export`, `deck.cli` → `cli`."""
    return module.split(".")[1]


def deck_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every deck module, and every library, that `path` imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "deck":  # `from deck import theme, format`
                names = [f"deck.{a.name}" for a in node.names]
            found += [(node.lineno, n) for n in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_upward(path):
    name = module_name(path)
    if name == "deck":
        return
    part = part_of(name)
    assert part in MAY_IMPORT, f"{name}: place the part {part!r} in MAY_IMPORT"
    allowed = MAY_IMPORT[part] | {part}
    wrong = []
    for line, imported in deck_imports(path):
        top = imported.split(".")[0]
        if top == "deck" and imported != "deck":
            target = part_of(imported)
            if target not in allowed:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {part} imports {imported}")
        elif part in NO_MANIM and top in ("manim", "manim_slides"):
            wrong.append(f"{path.relative_to(ROOT)}:{line}: {part} imports {imported}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_scripts_and_bench_do_not_go_through_the_command_line():
    """The command line only dispatches: what a script needs lives below it."""
    for path in [*(ROOT / "scripts").glob("*.py"), *(ROOT / "bench").glob("*.py")]:
        used = [m for _, m in deck_imports(path) if m == "deck.cli"]
        assert not used, f"{path.relative_to(ROOT)} imports deck.cli"


def test_the_rules_catch_an_upward_import(tmp_path):
    """The walk sees imports inside functions and under `from deck import ...`."""
    module = tmp_path / "sample.py"
    module.write_text("def f():\n    from deck import render\n    from deck.build import x\n")
    assert [m for _, m in deck_imports(module)] == ["deck.render", "deck.build"]


def test_the_command_line_is_short():
    lines = (PACKAGE / "cli.py").read_text().count("\n")
    assert lines < 150, f"deck/cli.py has {lines} lines: a command's logic goes in commands/"
