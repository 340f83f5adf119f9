"""The backward pass: one loop over the topological order, applying the chain rule."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd.errors import domain_error_for
from autograd.graph import topological_order

EdgeObserver = Callable[[Any, Any, Any, Any, Any, Any], None]
"""Called per edge as observer(node, upstream, parent, local, contribution, parent_total)."""


def _check_root(root: Any) -> None:
    # A Value keeps its parents in the slots _first and _second; anything else is not one.
    if not all(hasattr(root, name) for name in ("data", "_first", "_second")):
        raise TypeError(f"backprop needs a Value as its root, got {type(root).__name__}")


def _check_seed(grad: Any, create_graph: bool) -> Any:
    if hasattr(grad, "parents"):
        return grad if create_graph else grad.data
    if isinstance(grad, bool) or not isinstance(grad, numbers.Real):
        raise TypeError(f"backward(grad=...) takes a real number, got {type(grad).__name__}")
    try:
        return float(grad)
    except OverflowError:
        raise OverflowError(
            f"backward(grad=...) got an integer too large for a float ({len(str(grad))} digits)"
        ) from None


def chain_rule(rule: Callable[..., tuple], a: Any, b: Any, out: Any, upstream: Any) -> tuple:
    """One node's step: (d out/da, d out/db, upstream * d out/da, upstream * d out/db).

    b is None for a one-input op (then so are its two entries). The backward pass and the
    Tape's scalar and batched replay all call this: the chain rule is written only here.
    """
    if b is None:
        (da,) = rule(a, out)
        return da, None, upstream * da, None
    da, db = rule(a, b, out)
    return da, db, upstream * da, upstream * db


def propagate(
    root: Any,
    seed: Any = 1.0,
    create_graph: bool = False,
    observer: EdgeObserver | None = None,
    order: list | None = None,
) -> tuple[list, dict]:
    """Run the chain rule from root; return (topological order, {node: d root / d node}).

    Touches no `.grad`. With create_graph the local derivatives are evaluated on Values,
    so the returned gradients are themselves differentiable graphs.
    """
    _check_root(root)
    seed = _check_seed(seed, create_graph)
    if order is None:
        order = topological_order(root)
    grads = {root: seed}
    get = grads.get
    node = root
    try:
        for node in reversed(order):
            op = node._record
            if op is None:
                continue
            # Every op has one or two inputs, kept in two slots of the Value (see value.py);
            # the edges are spelled out rather than looped over, which halves this loop's time.
            a = node._first
            b = node._second
            if create_graph:
                da, db, to_a, to_b = chain_rule(op.rule, a, b, node, grads[node])
            else:
                da, db, to_a, to_b = chain_rule(
                    op.rule, a.data, None if b is None else b.data, node.data, grads[node]
                )
            total = get(a)
            grads[a] = total = to_a if total is None else total + to_a
            if observer is not None:
                observer(node, grads[node], a, da, to_a, total)
            if b is not None:
                total = get(b)
                grads[b] = total = to_b if total is None else total + to_b
                if observer is not None:
                    observer(node, grads[node], b, db, to_b, total)
    except (ArithmeticError, ValueError) as err:
        inputs = ", ".join(
            f"{p.data!r} from " + (f"node {p.label!r}" if p.label else "an unlabelled node")
            for p in node.parents
        )
        raise domain_error_for(err)(
            f"backward through {node._record.name} ({node._record.symbol}) failed: {err} "
            f"(inputs: {inputs})"
        ) from err
    return order, grads


def backward(root: Any, grad: Any = 1.0, create_graph: bool = False) -> None:
    """Fill `.grad` of every node reachable from root; leaves accumulate, others are set.

    With create_graph only your leaves get the differentiable gradient Values; interior
    nodes and constants get the number, so resetting your leaves' `.grad` frees the graph.
    """
    _, grads = propagate(root, grad, create_graph)
    for node, total in grads.items():  # the same nodes as the order, without a lookup each
        if node._record is None and not (create_graph and node._constant):
            node.grad = node.grad + total
        elif create_graph:
            node.grad = getattr(total, "data", total)
        else:
            node.grad = total


def gradients(root: Any, wrt: Sequence[Any], create_graph: bool = False) -> list:
    """d root / d w for each w in wrt (0.0 where root does not depend on w); no `.grad` changes."""
    for w in wrt:
        _check_root(w)
    _, grads = propagate(root, 1.0, create_graph)
    return [grads.get(w, 0.0) for w in wrt]
