"""The backward pass: a loop over the topological order, applying the chain rule.

`propagate` keeps the gradients in a dictionary and calls an observer per edge: the ledger,
`gradients` and `create_graph` use it. `backward()` on floats runs `accumulate_in_nodes`,
the same loop adding straight into `.grad`, with the commonest rules spelled out; that both
give the same bits on every node is a property test (tests/test_backward_in_place.py).
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable, Sequence
from typing import Any

from autograd.errors import domain_error_for
from autograd.graph import topological_order
from autograd.ops import BY_NAME

FAST_ROWS = tuple(BY_NAME[name] for name in ("add", "sub", "mul", "tanh", "exp", "relu"))
"""The rows whose chain rule the in-place backward pass spells out (see accumulate_in_nodes)."""
_SPELLED_OUT_RULES = tuple(row.rule for row in FAST_ROWS)
_NO_ROW = tuple(object() for _ in FAST_ROWS)  # matches no node: every op takes its rule

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

    b is None for a one-input op (then so are its two entries). propagate, the Tape's scalar
    and batched replay and every op without a spelled-out step in accumulate_in_nodes call it.
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
        raise _failed_at(node, err) from err
    return order, grads


def _failed_at(node: Any, err: Exception) -> Exception:
    """The error for a rule that failed at node: names the op and its inputs."""
    inputs = ", ".join(
        f"{p.data!r} from " + (f"node {p.label!r}" if p.label else "an unlabelled node")
        for p in node.parents
    )
    return domain_error_for(err)(
        f"backward through {node._record.name} ({node._record.symbol}) failed: {err} "
        f"(inputs: {inputs})"
    )


def backward(root: Any, grad: Any = 1.0, create_graph: bool = False) -> None:
    """Fill `.grad` of every node reachable from root; leaves accumulate, others are set.

    With create_graph only your leaves get the differentiable gradient Values; interior
    nodes and constants get the number, so resetting your leaves' `.grad` frees the graph.
    """
    if not create_graph:
        _check_root(root)
        accumulate_in_nodes(root, _check_seed(grad, False))
        return
    _, grads = propagate(root, grad, create_graph)
    for node, total in grads.items():  # the same nodes as the order, without a lookup each
        if node._record is None and not node._constant:
            node.grad = node.grad + total
        else:
            node.grad = getattr(total, "data", total)


class _Pending(float):
    """The type of the mark below: a float, so a reader of `.grad` mid-pass sees 0.0."""

    __slots__ = ()


_PENDING = _Pending(0.0)
"""What `.grad` holds while a backward pass runs: the node is in the order and nothing has
reached it yet. It marks the nodes seen by the order, in place of a set (tested by `is`)."""


def _order_in_place(root: Any) -> tuple[list, list]:
    """The topological order from root, marking each node's `.grad` as pending on the way.

    Returns (order, carried): carried lists (node, old grad) for every node whose `.grad`
    was not 0.0, to add back to the leaves afterwards and to restore everything on error.
    """
    pending = _PENDING
    order = []
    emit = order.append
    carried = []
    carry = carried.append
    stack = [root]
    push = stack.append
    pop = stack.pop
    try:
        while stack:
            node = pop()
            if node is None:  # marker: all parents of the node under it are now emitted
                emit(pop())
                continue
            old = node.grad
            if old is pending:
                continue
            if old:
                carry((node, old))
            node.grad = pending
            push(node)
            push(None)
            first = node._first
            if first is not None:
                second = node._second
                if second is not None and second.grad is not pending:
                    push(second)
                if first.grad is not pending:
                    push(first)
    except BaseException:  # an interrupt: put back the marks made so far
        marked = [node for node in stack if node is not None and node.grad is pending]
        _restore(order + marked, carried)
        raise
    return order, carried


def _restore(nodes: list, carried: list) -> None:
    """Put back every `.grad` a failed in-place pass touched (marked, or set since)."""
    for node in nodes:
        node.grad = 0.0
    for node, old in carried:
        node.grad = old


def accumulate_in_nodes(root: Any, seed: float) -> None:
    """The backward pass on floats, adding each contribution straight into `.grad`.

    No dictionary and no copying pass: the order marks the nodes, the first contribution
    into a node replaces the mark, later ones add to it. The commonest ops (+, -, *, tanh,
    exp, relu) are spelled out; each computes exactly `upstream * rule(...)` of its table row,
    the generic rule serves every other op. Leaves then add their old `.grad` back. On
    error every `.grad` is restored and the error names the op and its inputs.
    """
    running = _this_thread.__dict__.get("running")
    if running is not None:  # a rule of a running pass called backward(): see _nested_pass
        _nested_pass(root, seed, *running)
        return
    with _one_pass_at_a_time:
        try:
            _accumulate(root, seed)
        finally:
            _this_thread.running = None


_one_pass_at_a_time = threading.Lock()
"""Passes in two threads over graphs that share nodes would see each other's marks."""
_this_thread = threading.local()  # .running: (order, carried) of this thread's pass, or None


def _nested_pass(root: Any, seed: float, order: list, carried: list) -> None:
    """A pass started by a rule while another runs in this thread: on the dictionary path.

    The running pass owns the `.grad` of its nodes (marks, or partial sums): a leaf among
    them gets this pass's total through the running pass's carried list (added when that
    pass ends); an interior one is set by the running pass, which ends later.
    """
    _, grads = propagate(root, seed)
    owned = set(order)
    for node, total in grads.items():
        if node in owned:
            if node._record is None:
                carried.append((node, total))
        elif node._record is None:
            node.grad = node.grad + total
        else:
            node.grad = total


def _accumulate(root: Any, seed: float) -> None:
    order, carried = _order_in_place(root)
    _this_thread.running = (order, carried)
    pending = _PENDING
    # The spelled-out steps equal the rules they were written from; a row whose rule was
    # swapped since (a test's mutant, a debugging session) must be obeyed, so then every
    # op goes through its rule.
    unchanged = all(
        row.rule is rule for row, rule in zip(FAST_ROWS, _SPELLED_OUT_RULES, strict=True)
    )
    add, sub, mul, tanh, exp, relu = FAST_ROWS if unchanged else _NO_ROW
    root.grad = seed
    node = root
    try:
        for node in reversed(order):
            op = node._record
            if op is None:
                continue
            g = node.grad
            a = node._first
            b = node._second
            if op is add:
                to_a = to_b = g * 1.0
            elif op is mul:
                to_a = g * b.data
                to_b = g * a.data
            elif op is tanh:
                out = node.data
                to_a = g * (1.0 - out * out)
            elif op is sub:
                to_a = g * 1.0
                to_b = g * -1.0
            elif op is exp:
                to_a = g * node.data
            elif op is relu:
                to_a = g * (1.0 if a.data > 0.0 else 0.0)
            else:
                _, _, to_a, to_b = chain_rule(
                    op.rule, a.data, None if b is None else b.data, node.data, g
                )
            total = a.grad
            a.grad = to_a if total is pending else total + to_a
            if b is not None:
                total = b.grad
                b.grad = to_b if total is pending else total + to_b
    except BaseException as err:
        _restore(order, carried)
        if isinstance(err, (ArithmeticError, ValueError)):
            raise _failed_at(node, err) from err
        raise
    for node, old in carried:
        if node._record is None:
            node.grad = old + node.grad


def gradients(root: Any, wrt: Sequence[Any], create_graph: bool = False) -> list:
    """d root / d w for each w in wrt (0.0 where root does not depend on w); no `.grad` changes."""
    for w in wrt:
        _check_root(w)
    _, grads = propagate(root, 1.0, create_graph)
    return [grads.get(w, 0.0) for w in wrt]
