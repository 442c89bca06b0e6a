"""The dependency rule: every package of certcenter sits in a layer and imports only from the layers below it (or
from a package of its own layer, without a circle). The shared core knows no domain.

The checker reads the source with ``ast`` (every import: at the top, inside functions, under TYPE_CHECKING); the
README's Layout section draws the same layers."""

from __future__ import annotations

import ast
import textwrap
from collections import defaultdict
from pathlib import Path

import certcenter

# Bottom layer first. "cli" holds the commands the app factory ("__init__") adds; "console" is the ``certcenter``
# command, which calls the factory.
LAYERS: list[set[str]] = [
    {"config", "extensions", "broker", "queues"},
    {"core"},
    {"framework", "accounts", "notifications"},
    {"qualifications"},
    {"candidates"},
    {"applications", "evidence"},
    {"assessments", "exams"},
    {"appeals"},
    {"certificates"},
    {"reports"},
    {"records"},
    {"demo"},
    {"cli"},
    {"__init__"},
    {"console"},
]
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}


def package_of(root: Path, path: Path) -> str:
    """The top-level package (or module) of certcenter a source file belongs to."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def imported_packages(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            if module == "certcenter":
                found.add("__init__")
            elif module.startswith("certcenter."):
                found.add(module.split(".")[1])
    return found


def import_graph(root: Path) -> dict[str, dict[str, set[str]]]:
    """package -> imported package -> the files that import it (migrations are generated code and left out)."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        package = package_of(root, path)
        targets = graph.setdefault(package, defaultdict(set))  # a package that imports nothing is in the graph too
        for target in imported_packages(ast.parse(path.read_text(encoding="utf-8"))) - {package}:
            targets[target].add(str(path.relative_to(root)))
    return graph


def violations(graph: dict[str, dict[str, set[str]]]) -> list[str]:
    problems = [f"{package} is in no layer: add it to LAYERS" for package in sorted(graph) if package not in RANK]
    for package, targets in sorted(graph.items()):
        for target, files in sorted(targets.items()):
            if package not in RANK or target not in RANK:
                continue
            where = ", ".join(sorted(files))
            if RANK[target] > RANK[package]:
                problems.append(f"{package} imports {target}, a layer above it ({where})")
            elif RANK[target] == RANK[package] and package in graph.get(target, {}) and package < target:
                problems.append(f"{package} and {target} import each other ({where})")  # each circle once
    return problems


def test_the_packages_keep_to_their_layers():
    root = Path(certcenter.__file__).parent
    assert violations(import_graph(root)) == []


def test_the_core_imports_no_domain():
    graph = import_graph(Path(certcenter.__file__).parent)
    assert set(graph["core"]) <= {"config", "extensions"}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / "certcenter" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root / "certcenter"


def test_the_checker_finds_an_import_upwards_and_a_circle(tmp_path):
    """A synthetic package tree with the three faults the rule exists for: the checker names each one."""
    root = write_tree(
        tmp_path,
        {
            "core/web.py": "from certcenter.assessments.workflow import TransitionError\n",
            "framework/models.py": """
                def edition_of(application):
                    from certcenter.qualifications.models import Qualification  # lazily, still upwards
                    return Qualification
            """,
            "applications/models.py": "from certcenter.evidence.models import EvidenceItem\n",
            "evidence/models.py": "import certcenter.applications.models\n",
            "candidates/services.py": "from certcenter.core import audit\nfrom certcenter.framework import rules\n",
            "archive/models.py": "from certcenter.core.models import utcnow\n",
        },
    )
    found = violations(import_graph(root))
    assert "core imports assessments, a layer above it (core/web.py)" in found
    assert "framework imports qualifications, a layer above it (framework/models.py)" in found
    assert "applications and evidence import each other (applications/models.py)" in found
    assert "archive is in no layer: add it to LAYERS" in found
    assert not any(problem.startswith("candidates") for problem in found)  # importing downwards is allowed
    assert len(found) == 4
