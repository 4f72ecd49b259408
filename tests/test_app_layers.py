"""The apps depend one way: casework ← notices ← dashboards.

Walks every .py file of casework/ and notices/ (migrations included) with ``ast``:
module-level and function-level imports, ``apps.get_model("app", ...)`` calls and
"app.Model" strings (lazy relations, migration dependencies). A back edge fails.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Which apps each app must not reach.
FORBIDDEN = {"casework": {"notices", "dashboards"}, "notices": {"dashboards"}}


def references(tree: ast.AST):
    """(line, app) for every import and app-qualified string in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module.split(".")[0]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model":
            if node.args and isinstance(node.args[0], ast.Constant):
                yield node.lineno, str(node.args[0].value).split(".")[0]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            head, dot, tail = node.value.partition(".")
            # "notices.Demand" (a lazy model reference) or a migration dependency
            # tuple ("notices", "0002_..."), which appears as the bare app label.
            if dot and tail[:1].isupper() and head.isidentifier():
                yield node.lineno, head
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            first, second = node.elts
            if (
                isinstance(first, ast.Constant)
                and isinstance(second, ast.Constant)
                and isinstance(second.value, str)
                and second.value[:4].isdigit()
            ):
                yield node.lineno, first.value


def back_edges(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for line, target in references(ast.parse(path.read_text(), filename=rel)):
            if target in FORBIDDEN[app]:
                yield f"{rel}:{line} → {target}"


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_no_back_edges(app):
    assert list(back_edges(app)) == []


def test_the_walker_sees_hidden_imports_and_model_strings():
    source = (
        "def f():\n"
        "    from notices.models import Demand\n"
        "x = models.ForeignKey('notices.Demand', on_delete=None)\n"
        "m = apps.get_model('dashboards', 'DashboardReport')\n"
        "dependencies = [('notices', '0002_letter')]\n"
        "import dashboards.figures\n"
    )
    found = [target for _line, target in references(ast.parse(source))]
    assert found.count("notices") == 3 and found.count("dashboards") == 2
