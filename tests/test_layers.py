"""The apps form a directed acyclic graph: no two apps import each other, directly or not.

import-linter's contracts (``make lint``) hold the layers; this test holds the
weaker, layer-free rule, so a new app cannot join a cycle even before it has
its place in the contracts. Imports inside functions count as much as those
at the top of a module, and tests are left out (a test may set up any app).
"""

from __future__ import annotations

import grimp
from django.apps import apps

# The Django apps of klustera; the kernel modules (klustera.api, klustera.tasks …) are
# not apps: they may use tenancy's context and every app may use them.
APPS = {config.name for config in apps.get_app_configs() if config.name.startswith("klustera.")}


def _app_of(module: str) -> str | None:
    app = ".".join(module.split(".")[:2])
    if app not in APPS or ".tests" in module:
        return None
    return app


def _app_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("klustera", exclude_type_checking_imports=True, cache_dir=None)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        source = _app_of(module)
        if source is None:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            target = _app_of(imported)
            if target is not None and target != source:
                edges.setdefault(source, set()).add(target)
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, or None (a depth-first search with three colours)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_two_apps_import_each_other() -> None:
    edges = _app_graph()
    assert "klustera.billing" in edges  # the graph was read
    assert _cycle(edges) is None, " -> ".join(_cycle(edges) or [])


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None
