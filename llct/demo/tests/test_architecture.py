"""Arrows point down: the demo sits on top of every app, so no module outside llct/demo imports
it. (Django finds the seed_demo command through the app registry, not through an import.)"""

import ast
from pathlib import Path

import llct

LLCT = Path(llct.__file__).parent
DEMO = LLCT / "demo"


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def demo_imports(source: str) -> list[int]:
    """The lines of `source` that import llct.demo or one of its modules (every spelling the
    walk sees names "demo": a module that never writes it is not parsed)."""
    if "demo" not in source:
        return []
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if any(n == "llct.demo" or n.startswith("llct.demo.") for n in _imported(node))
    )


def test_no_app_imports_the_demo():
    modules = [p for p in LLCT.rglob("*.py") if DEMO not in p.parents]
    assert len(modules) > 100  # the walk does see the apps
    offenders = {
        str(path.relative_to(LLCT.parent)): lines
        for path in modules
        if (lines := demo_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_sees_every_spelling_of_an_import():
    source = (
        "import llct.demo.seed\n"
        "from llct.demo import seed\n"
        "from llct import demo\n"
        "def f():\n"
        "    from llct.demo.seed import demo_seed\n"
        "    importlib.import_module('llct.demo.courses')\n"
        "import llct.demography\n"
        "from llct.courses import models\n"
        "from .demo import x\n"
    )
    assert demo_imports(source) == [1, 2, 3, 5, 6]
