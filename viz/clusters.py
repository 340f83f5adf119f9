"""Which nn module made each node: clusters and collapsed boxes for draw_graph.

Only the module tree is read (`named_modules()` and each module's `parameters()`), so nn
and the engine need no hooks. A parameter belongs to the innermost module that holds it.
An operation belongs to the module of its parameter inputs if it has any; else to no
module if it takes in a leaf that is no parameter (data, a target, a constant); else to
the innermost module shared by its computed inputs. So `w*x`, `+ b` and the activation of
a neuron land in that neuron's cluster, while `(y_hat - y)**2` stays outside the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from viz.naming import node_names
from viz.number_format import backward_has_run, format_number, span


def _encloses(outer: str, inner: str) -> bool:
    return outer == "" or inner == outer or inner.startswith(outer + ".")


class ModuleScopes:
    """The module (by its `named_modules()` name) of every node that belongs to one."""

    def __init__(self, names: list[str], scope: dict[int, str], order: list | None = None,
                 neurons: set[str] | None = None) -> None:
        self.names = names
        self.scope = scope
        self.order = order if order is not None else []  # the topological order, root last
        self.neurons = neurons or set()  # modules that are one neuron (weights w, bias b)
        self.enclosing: dict[str, str | None] = {}
        for name in names:
            holders = [other for other in names if other != name and _encloses(other, name)]
            self.enclosing[name] = max(holders, key=len) if holders else None

    @classmethod
    def empty(cls) -> ModuleScopes:
        """Scopes of a drawing without modules: every node at top level."""
        return cls([], {})

    def scope_of(self, key: int) -> str | None:
        """The innermost module name of the node with this id, or None."""
        return self.scope.get(key)

    def chain(self, name: str | None) -> list[str]:
        """The module and every module enclosing it, innermost first."""
        out = []
        while name is not None:
            out.append(name)
            name = self.enclosing[name]
        return out

    def boxes_for(self, collapse: str | Iterable[str]) -> dict[int, str]:
        """id(node) -> box id for every node inside a collapsed module (outermost wins).

        `collapse` is a list of module names, or one name as a string.
        """
        collapse = [collapse] if isinstance(collapse, str) else list(collapse)
        if collapse and not self.names:
            raise ValueError("draw_graph: collapse=... needs modules=model to know the modules")
        unknown = [name for name in collapse if name not in self.enclosing]
        if unknown:
            raise ValueError(
                f"draw_graph: no module named {unknown[0]!r} to collapse; the modules are "
                f"{', '.join(repr(n) for n in self.names[:12])}"
                f"{' ...' if len(self.names) > 12 else ''}"
            )
        folded = set(collapse)
        box_of: dict[str, str] = {}
        for name in self.names:
            outer = [m for m in self.chain(name) if m in folded]
            if outer:
                box_of[name] = f"m{self.names.index(outer[-1])}"
        boxes = {key: box_of[name] for key, name in self.scope.items() if name in box_of}
        if boxes:
            boxes.update(self._numbers_read_by_one_box(boxes))
        return boxes

    def _numbers_read_by_one_box(self, boxes: dict[int, str]) -> dict[int, str]:
        """Unlabelled constants (as the numbers a model turns into Values for each of its
        neurons) read only inside one box: they fold into it, so no edge is drawn for each."""
        readers: dict[int, set] = {}
        for node in self.order:
            box = boxes.get(id(node))
            for parent in node.parents:
                if not parent.parents and not parent.label and id(parent) not in self.scope:
                    readers.setdefault(id(parent), set()).add(box)
        return {key: next(iter(found)) for key, found in readers.items()
                if len(found) == 1 and None not in found}

    def box_outputs(self, boxes: dict[int, str]) -> dict[str, list]:
        """box id -> the values folded into it that something outside reads (or the root),
        in the order the graph computed them."""
        leaving: set[int] = set()
        for node in self.order:
            box = boxes.get(id(node))
            for parent in node.parents:
                parent_box = boxes.get(id(parent))
                if parent_box is not None and parent_box != box:
                    leaving.add(id(parent))
        if self.order and id(self.order[-1]) in boxes:
            leaving.add(id(self.order[-1]))
        outputs: dict[str, list] = {}
        for node in self.order:
            if id(node) in leaving:
                outputs.setdefault(boxes[id(node)], []).append(node)
        return outputs

    def box_labels(
        self, boxes: dict[int, str], grads: Mapping[int, float] | None = None,
        digits: int = 4, names: Mapping[int, str] | None = None,
    ) -> dict[str, str]:
        """box id -> its label: the module name, the data and gradient of what leaves the
        box (each value, or their range when more than three), and how many values it folds.

        Gradients come from `grads` (id(node) -> gradient; a missing one is "not computed
        yet") or else `.grad`, which reads "grad: not computed" while the root's `.grad`
        is 0.0 (no backward pass has run). `names` maps id(node) to a display name.
        """
        if names is None:
            names = node_names(self.order)
        root = self.order[-1] if self.order else None
        computed = grads is not None or (root is not None and backward_has_run(root))

        def grad_of(node: Any) -> float | None:
            if grads is not None:
                return grads.get(id(node))
            return node.grad if computed else None

        def grad_text(values: list) -> str:
            if not computed:
                return "grad: not computed"
            found = [grad_of(v) for v in values]
            if any(g is None for g in found):
                return "grad: not computed yet"
            return f"grad {span(found, digits)}"

        outputs = self.box_outputs(boxes)
        labels = {}
        for name, box_id, count in self.box_nodes(boxes):
            leaving = outputs.get(box_id, [])
            lines = [name]
            if len(leaving) <= 3:
                lines += [f"{names.get(id(v), '?')} = {format_number(v.data, digits)} | "
                          f"{grad_text([v])}" for v in leaving]
            else:
                lines.append(f"{len(leaving)} outputs: data "
                             f"{span([v.data for v in leaving], digits)} | "
                             f"{grad_text(leaving)}")
            lines.append(f"({count} values)")
            labels[box_id] = "\n".join(lines)
        return labels

    def box_order(self, boxes: dict[int, str]) -> list[str]:
        """DOT statements that keep the boxes of sibling neurons side by side in module order
        (neuron2 before neuron10): one rank, joined by invisible edges."""
        by_parent: dict[str | None, list[str]] = {}
        for name, box_id, _ in self.box_nodes(boxes):
            if name in self.neurons:
                by_parent.setdefault(self.enclosing[name], []).append(box_id)
        statements = []
        for siblings in by_parent.values():
            if len(siblings) > 1:
                statements.append("\t{rank=same; " + "; ".join(siblings) + "}\n")
                statements += [f'\t{a} -> {b} [style="invis"]\n'
                               for a, b in zip(siblings, siblings[1:], strict=False)]
        return statements

    def box_nodes(self, boxes: dict[int, str]) -> list[tuple[str, str, int]]:
        """(module name, box id, number of values folded into it), in module order."""
        counts: dict[str, int] = {}
        for box in boxes.values():
            counts[box] = counts.get(box, 0) + 1
        return [
            (name, f"m{i}", counts[f"m{i}"])
            for i, name in enumerate(self.names)
            if f"m{i}" in counts
        ]

    def cluster_graphs(
        self, graphviz: Any, boxes: dict[int, str], quote: Callable[[str], str]
    ) -> dict[str, Any]:
        """A graphviz cluster subgraph for each module that has a node left to draw.

        `quote` turns a module name into a DOT string (drawing.quoted): the label is
        written by it, not by graphviz, which would read a name like "<b>" as HTML.
        """
        used: set[str] = set()
        for key, name in self.scope.items():
            if key not in boxes:
                used.update(self.chain(name))
        clusters = {}
        for i, name in enumerate(self.names):
            if name in used:
                cluster = graphviz.Digraph(
                    f"cluster_{i}",
                    graph_attr={
                        "style": "rounded,dashed", "color": "#7a8aa6",
                        "fontname": "Helvetica", "fontsize": "10", "id": f"cluster_{i}",
                    },
                )
                cluster.body.append(f"\tlabel={quote(name)}\n")
                clusters[name] = cluster
        return clusters

    def attach_clusters(self, graph: Any, clusters: dict[str, Any]) -> None:
        """Nest each cluster in its enclosing module's cluster, innermost first."""
        for name in sorted(clusters, key=lambda n: (-len(self.chain(n)), self.names.index(n))):
            outer = self.enclosing[name]
            while outer is not None and outer not in clusters:
                outer = self.enclosing[outer]
            (clusters[outer] if outer is not None else graph).subgraph(clusters[name])


def module_scopes(order: list, model: Any) -> ModuleScopes:
    """Assign the nodes of a topological order to the modules of model (an nn Module).

    Example:
        >>> from autograd import Value, topological_order
        >>> from nn import MLP
        >>> model = MLP(2, [1], activation="tanh", output_activation="tanh", seed=0)
        >>> y_hat = model([Value(1.0, "x0"), Value(2.0, "x1")])[0]
        >>> loss = (y_hat - 1.0) ** 2
        >>> scopes = module_scopes(topological_order(loss), model)
        >>> scopes.scope_of(id(y_hat)), scopes.scope_of(id(loss))
        ('layer1.neuron0', None)
    """
    if not hasattr(model, "named_modules"):
        raise TypeError(
            f"draw_graph(modules=...) takes an nn Module, got {type(model).__name__}"
        )
    names: list[str] = []
    owner: dict[int, str] = {}
    neurons: set[str] = set()
    for name, module in model.named_modules():
        if name == "":
            continue
        names.append(name)
        if isinstance(getattr(module, "w", None), list) and hasattr(module, "b"):
            neurons.add(name)
        for parameter in module.parameters():
            current = owner.get(id(parameter))
            if current is None or len(name) > len(current):
                owner[id(parameter)] = name
    scopes = ModuleScopes(names, {}, order, neurons)
    scope = scopes.scope
    for node in order:
        key = id(node)
        if not node.parents:
            if key in owner:
                scope[key] = owner[key]
            continue
        parents = node.parents
        parameter_scopes = [owner[id(p)] for p in parents if id(p) in owner]
        if parameter_scopes:
            scope_name = _common(scopes, parameter_scopes)
        elif any(p.op == "" for p in parents):  # a leaf that is no parameter
            scope_name = None
        else:
            scope_name = _common(scopes, [scope.get(id(p)) for p in parents])
        if scope_name is not None:
            scope[key] = scope_name
    return scopes


def _common(scopes: ModuleScopes, names: list[str | None]) -> str | None:
    """The innermost module enclosing all the given ones (None if any is None)."""
    first = names[0]
    if first is None or all(name == first for name in names):
        return first  # the usual case: all inputs in one module
    if any(name is None for name in names):
        return None
    common = scopes.chain(first)
    for name in names[1:]:
        chain = set(scopes.chain(name))
        common = [m for m in common if m in chain]
    return common[0] if common else None
