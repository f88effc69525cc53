"""`llct.core` sits at the bottom: it imports no other app of the project, not even for type
checking. Every app may import core; core reads none of them, so it can be understood (and
changed) alone. What needs every app (the home page, the menu) lives in `llct.home`."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent

# Tests that check core's machinery against the whole project's data (a backup and restore of
# the rolls, request logs that must not leak personal data from a people page). They use the
# project's fixtures, which build organizations and people; core's code does not. The number
# fields' test walks every app's forms and columns, to show none is left unbounded.
WHOLE_PROJECT_TESTS = {"tests/test_backups.py", "tests/test_logs.py", "tests/test_numbers.py"}


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module named by an import anywhere in the file, `if TYPE_CHECKING:` and
    function-level imports included."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from llct import organizations` names the app in the alias.
            if node.module == "llct":
                found += [(node.lineno, f"llct.{alias.name}") for alias in node.names]
    return found


def other_app(module: str) -> bool:
    return module.startswith("llct.") and not (
        module == "llct.core" or module.startswith("llct.core.")
    )


def test_core_imports_no_other_app():
    offending = []
    for path in sorted(CORE.rglob("*.py")):
        relative = path.relative_to(CORE).as_posix()
        if relative in WHOLE_PROJECT_TESTS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offending += [
            f"llct/core/{relative}:{line} {module}"
            for line, module in imported_modules(tree)
            if other_app(module)
        ]
    assert offending == []


def test_the_check_sees_every_kind_of_import():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import llct.courses.models\n"
        "from llct import planning\n"
        "if TYPE_CHECKING:\n"
        "    from llct.organizations.models import Organization\n"
        "def f():\n"
        "    from llct.monitoring.watchlists import watchlists\n"
        "from llct.core.models import User\n"
    )
    modules = [m for _, m in imported_modules(ast.parse(source)) if other_app(m)]
    assert modules == [
        "llct.courses.models",
        "llct.planning",
        "llct.organizations.models",
        "llct.monitoring.watchlists",
    ]
