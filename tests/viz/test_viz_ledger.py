"""The chain-rule ledger: its numbers are the engine's, edge by edge and on random programs."""

import math

import pytest
from hypothesis import given

from autograd import Value
from autograd.testing.strategies import programs_with_inputs
from tests.lecture import lecture_neuron
from viz import backprop_steps, explain, format_steps


def test_neuron_ledger_gives_the_lecture_gradients():
    o, nodes = lecture_neuron()
    ledger = backprop_steps(o)
    # The lecture's hand-derived numbers: do/dn = 1 - tanh(n)**2 = 0.5, then x1*w1 rules.
    expected = {"n": 0.5, "b": 0.5, "x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0}
    for name, value in expected.items():
        assert ledger.grad(nodes[name]) == pytest.approx(value, abs=1e-12), name
    assert ledger.grad(o) == 1.0


def test_ledger_leaves_grad_untouched_and_matches_backward():
    o, nodes = lecture_neuron()
    backprop_steps(o)
    assert all(node.grad == 0.0 for node in nodes.values())
    ledger = backprop_steps(o)
    o.backward()
    for node in ledger.order:
        assert ledger.grad(node) == node.grad


def test_steps_run_root_first_with_complete_upstream_gradients():
    o, nodes = lecture_neuron()
    ledger = backprop_steps(o)
    o.backward()
    assert ledger.steps[0].node is o
    assert [step.node.op for step in ledger.steps] == ["tanh", "+", "+", "*", "*"]
    for step in ledger.steps:
        # Backward order: every node's gradient is complete before its step runs.
        assert step.upstream == step.node.grad
        assert [edge.parent for edge in step.edges] == list(step.node.parents)
        for edge, local in zip(step.edges, step.node.local_grads, strict=True):
            assert edge.local == local
            assert edge.contribution == step.upstream * edge.local
            assert edge.formula == step.node.op_record.formulas[edge.index]


def test_a_parent_used_twice_shows_its_running_total():
    x = Value(3.0, "x")
    y = x * x
    ledger = backprop_steps(y)
    (step,) = ledger.steps
    assert [(e.local, e.contribution, e.parent_grad) for e in step.edges] == [
        (3.0, 3.0, 3.0),
        (3.0, 3.0, 6.0),
    ]


def test_grads_after_fills_in_as_far_as_backprop_got():
    o, nodes = lecture_neuron()
    ledger = backprop_steps(o)
    assert ledger.grads_after(-1) == {id(o): 1.0}
    after_first = ledger.grads_after(0)
    assert after_first == {id(o): 1.0, id(nodes["n"]): pytest.approx(0.5)}
    assert ledger.grads_after(len(ledger) - 1) == ledger.grads


def test_seed_scales_every_gradient():
    o, nodes = lecture_neuron()
    ledger = backprop_steps(o, seed=2.0)
    assert ledger.grad(nodes["x1"]) == pytest.approx(-3.0)


def test_sentence_reads_as_the_chain_rule_with_numbers():
    o, nodes = lecture_neuron()
    ledger = backprop_steps(o)
    step = ledger.steps[0]
    assert ledger.sentence(step, step.edges[0]) == (
        "do/dn += seed * do/dn = 1.0000 * 0.5000 = 0.5000   [do/dn = 1 - o**2]"
        "   so n.grad = 0.5000"
    )
    later = ledger.steps[1]
    assert ledger.sentence(later, later.edges[1]) == (
        "do/db += do/dn * dn/db = 0.5000 * 1.0000 = 0.5000   [dn/db = 1]   so b.grad = 0.5000"
    )


def test_no_text_writes_the_roots_derivative_by_itself():
    o, nodes = lecture_neuron()
    ledger = backprop_steps(o)
    texts = [ledger.sentence(step, edge) for step in ledger for edge in step.edges]
    texts += [format_steps(o, style) for style in ("text", "markdown", "latex")]
    texts += [str(explain(o, node)) for node in ledger.order]
    texts += [ledger._repr_html_()]
    assert len(texts) == 9 + 3 + 10 + 1
    assert not any("do/do" in text for text in texts)
    assert ledger.upstream_name(ledger.steps[0]) == "seed"
    assert ledger.upstream_name(ledger.steps[1]) == "do/dn"
    assert str(explain(o, o)) == (
        "o is the root itself: its gradient is the seed, 1.0000 (one path with no edges)"
    )


def test_equation_and_expression_read_in_infix():
    o, nodes = lecture_neuron()
    ledger = backprop_steps(o)
    assert [ledger.equation(step) for step in ledger] == [
        "o = tanh(n)", "n = %3 + b", "%3 = %1 + %2", "%2 = x2 * w2", "%1 = x1 * w1",
    ]
    assert ledger.expression(o) == "tanh(x1 * w1 + x2 * w2 + b)"
    assert ledger.expression(nodes["x1"]) == "x1"


def test_ledger_shows_as_an_escaped_html_table():
    x = Value(2.0, "<b>x</b>")
    y = x * x
    y.label = "y & z"
    page = backprop_steps(y)._repr_html_()
    assert page.startswith('<table class="gradledger-ledger">')
    assert "<b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    caption = "<caption>chain-rule ledger of y &amp; z = (&lt;b&gt;x&lt;/b&gt;) * (&lt;b&gt;x"
    assert caption in page
    assert page.count("<tr>") == 1 + 1 + 2  # header, seed row, one row per edge
    second_edge = ("<tr><td></td><td></td><td></td><td>&lt;b&gt;x&lt;/b&gt;</td><td>2.0000</td>"
                   "<td>(&lt;b&gt;x&lt;/b&gt;)</td><td>2.0000</td><td>4.0000</td></tr>")
    assert second_edge in page


def test_a_long_ledger_shows_its_first_rows_and_says_how_many_more():
    x = Value(0.5, "x")
    y = x
    for _ in range(2100):
        y = y * 1.0
    page = backprop_steps(y)._repr_html_()
    assert page.count("<tr>") == 1 + 2000
    assert "<p>2201 more rows: format_steps(ledger) prints them all.</p>" in page


def test_backprop_steps_rejects_a_non_value_with_the_engine_error():
    with pytest.raises(TypeError, match="needs a Value"):
        backprop_steps(3.0)


@given(programs_with_inputs())
def test_ledger_equals_backward_on_random_programs(case):
    program, inputs = case
    leaves = [Value(x, f"x{i}") for i, x in enumerate(inputs)]
    root = program(*leaves)
    ledger = backprop_steps(root)
    root.backward()
    for leaf in leaves:
        assert ledger.grads.get(id(leaf), 0.0) == leaf.grad
    # Each parent's final gradient is the sum of the contributions the ledger lists for it.
    sums = {}
    for step in ledger.steps:
        for edge in step.edges:
            sums.setdefault(id(edge.parent), []).append(edge.contribution)
            assert edge.contribution == step.upstream * edge.local
    for node in ledger.order:
        if id(node) in sums:
            assert math.fsum(sums[id(node)]) == pytest.approx(node.grad, rel=1e-9, abs=1e-12)
