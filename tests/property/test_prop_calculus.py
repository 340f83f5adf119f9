"""Rules of calculus that backprop must obey, on random programs: exact where floats allow."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.testing import analytic_grad
from autograd.testing.strategies import floats_in, program_inputs, programs

REL = 1e-9
ABS = 1e-10
coefficients = floats_in(-3.0, 3.0)


@st.composite
def two_programs_and_inputs(draw):
    n = draw(st.integers(1, 3))
    f = draw(programs(n_inputs=n))
    g = draw(programs(n_inputs=n))
    return f, g, draw(program_inputs(f))


@given(two_programs_and_inputs(), coefficients, coefficients)
def test_linearity(case, a, b):
    f, g, inputs = case
    combined = analytic_grad(lambda *xs: a * f(*xs) + b * g(*xs), inputs)
    df, dg = analytic_grad(f, inputs), analytic_grad(g, inputs)
    expected = [a * u + b * v for u, v in zip(df, dg, strict=True)]
    assert combined == pytest.approx(expected, rel=REL, abs=ABS)


@given(two_programs_and_inputs())
def test_product_rule(case):
    f, g, inputs = case
    product = analytic_grad(lambda *xs: f(*xs) * g(*xs), inputs)
    fx, gx = f(*[Value(x) for x in inputs]).data, g(*[Value(x) for x in inputs]).data
    df, dg = analytic_grad(f, inputs), analytic_grad(g, inputs)
    expected = [u * gx + fx * v for u, v in zip(df, dg, strict=True)]
    assert product == pytest.approx(expected, rel=REL, abs=ABS)


@given(st.data())
def test_chain_rule(data):
    inner = data.draw(programs())
    # the outer program is made safe for every value the inner one can produce
    outer = data.draw(programs(n_inputs=1, input_bound=inner.bounds[inner.output]))
    inputs = data.draw(program_inputs(inner))
    composed = analytic_grad(lambda *xs: outer(inner(*xs)), inputs)
    u = inner(*[Value(x) for x in inputs]).data
    outer_slope = analytic_grad(outer, [u])[0]
    inner_grad = analytic_grad(inner, inputs)
    assert composed == pytest.approx([outer_slope * d for d in inner_grad], rel=REL, abs=ABS)


@given(floats_in(-1e6, 1e6), floats_in(-1e6, 1e6))
def test_d_product_d_a_is_exactly_b(a, b):
    x, y = Value(a), Value(b)
    (x * y).backward()
    assert x.grad == y.data and y.grad == x.data
