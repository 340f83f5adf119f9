"""The in-place backward pass: same bits as the dictionary pass, leaves accumulate, errors undo."""

import math
import sys

import pytest
from hypothesis import given

from autograd import Value, backprop, ops
from autograd.errors import DomainError
from autograd.graph import topological_order
from autograd.testing.strategies import programs_with_inputs


def bits(x):
    return float(x).hex()


@given(programs_with_inputs())
def test_every_node_gets_the_bits_of_the_dictionary_pass(case):
    program, inputs = case
    leaves = [Value(x) for x in inputs]
    out = program(*leaves)
    _, expected = backprop.propagate(out)
    out.backward()
    for node in topological_order(out):
        assert bits(node.grad) == bits(expected[node]), node


@pytest.mark.parametrize("name", [row.name for row in backprop.FAST_ROWS])
@pytest.mark.parametrize("point", [0.3711, -0.25, 0.0])
def test_each_spelled_out_row_equals_its_table_rule(name, point):
    a, b = Value(point), Value(-1.9)
    row = ops.BY_NAME[name]
    out = getattr(a, name)(b) if row.arity == 2 else getattr(a, name)()
    assert out.op_record is row
    out.backward(0.77)
    rule = out.op_record.rule
    locals_ = rule(a.data, b.data, out.data) if out._second is not None else rule(a.data, out.data)
    assert bits(a.grad) == bits(0.77 * locals_[0])
    if out._second is not None:
        assert bits(b.grad) == bits(0.77 * locals_[1])


def test_a_second_pass_doubles_the_leaves_and_overwrites_the_rest():
    x = Value(0.5, "x")
    y = x * x + x.tanh() * x
    y.backward()
    first, middle = x.grad, y._first.grad
    y.backward()
    assert x.grad == 2 * first
    assert y._first.grad == middle


def test_old_leaf_gradients_are_added_to_the_sum_of_this_pass():
    x = Value(2.0)
    x.grad = 0.1
    y = x * 3.0 + x * 5.0
    y.backward()
    assert x.grad == 0.1 + (3.0 + 5.0)


def test_a_failing_rule_restores_every_gradient():
    x = Value(1e-300, "x")
    z = Value(1.5, "z")
    z.grad = 7.0
    y = (x ** -1.0) * z + z
    before = [(node, node.grad) for node in topological_order(y)]
    y._first.grad = -4.0  # an interior node keeps the gradient of an earlier pass too
    before = [(node, node.grad) for node, _ in before]
    with pytest.raises(DomainError, match=r"backward through pow_const .*1e-300 from node 'x'"):
        y.backward()
    assert [(node, node.grad) for node, _ in before] == before


def test_backward_through_a_deep_chain_needs_no_recursion():
    x = Value(0.5)
    y = x
    for _ in range(200_000):
        y = y + 0.0
    y.backward()
    assert x.grad == 1.0


def test_a_contribution_that_overflows_is_inf_as_in_the_dictionary_pass():
    x = Value(10.0)
    y = x * 1e300
    y.backward(1e10)
    assert x.grad == math.inf


def test_passes_in_two_threads_over_shared_leaves_give_the_serial_sums():
    import threading

    w = [Value(0.001 * k) for k in range(2000)]
    losses = [sum((wk * (j + 1.0)).tanh() for wk in w) for j in range(2)]
    per_loss = [backprop.gradients(loss, w) for loss in losses]
    expected = [(first + second) * 5 for first, second in zip(*per_loss, strict=True)]

    def work(loss):
        for _ in range(5):
            loss.backward()

    threads = [threading.Thread(target=work, args=(loss,)) for loss in losses]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, mid-pass
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert [wk.grad for wk in w] == pytest.approx(expected, rel=1e-12)


def test_a_rule_that_runs_a_pass_of_its_own_adds_up_as_two_passes():
    from autograd import define_op

    w = Value(2.0, "w")
    side = w * 3.0  # shares the leaf w with the outer graph

    calls = []

    def derivative(x):
        side.backward()  # e.g. logging a side gradient from inside a rule
        calls.append(x)
        return 2.0 * x

    square = define_op("square_running_a_pass", lambda x: x * x, derivative, "2 * x")
    y = square(w) + w
    calls.clear()
    w.grad = 0.0  # define_op tried the derivative once already, running its pass
    y.backward()
    assert len(calls) == 1
    assert w.grad == (2 * 2.0 + 1.0) + 3.0
    assert side.grad == 1.0


@pytest.mark.parametrize("interrupt_at_line", range(5, 80, 5))
def test_an_interrupt_while_ordering_restores_every_gradient(interrupt_at_line):
    a, b = Value(1.0, "a"), Value(2.0, "b")
    a.grad, b.grad = 10.0, 20.0
    y = (a * b) + b * a.tanh()
    lines = [0]

    def tracer(frame, event, arg):
        if frame.f_code.co_name != "_order_in_place":
            return None

        def per_line(frame, event, arg):
            if event == "line":
                lines[0] += 1
                if lines[0] == interrupt_at_line:
                    raise KeyboardInterrupt
            return per_line

        return per_line

    sys.settrace(tracer)
    try:
        y.backward()
    except KeyboardInterrupt:
        pass
    finally:
        sys.settrace(None)
    assert (a.grad, b.grad) == (10.0, 20.0) or lines[0] < interrupt_at_line
    assert all(type(node.grad) is float for node in topological_order(y))


def test_a_reader_in_another_thread_sees_a_float_mid_pass():
    assert type(backprop._PENDING) is not float and isinstance(backprop._PENDING, float)
    assert backprop._PENDING == 0.0


@given(programs_with_inputs())
def test_the_in_place_order_is_the_topological_order(case):
    program, inputs = case
    out = program(*[Value(x) for x in inputs])
    order, carried = backprop._order_in_place(out)
    backprop._restore(order, carried)
    assert order == topological_order(out)
    assert all(type(node.grad) is float for node in order)
