"""autograd.expr, the language of the `gradledger` command line: an `ast` whitelist, never eval."""

import math

import pytest

from autograd import Value
from autograd.expr import MAX_LENGTH, ExpressionError, parse


def evaluate(text, **values):
    expression = parse(text)
    inputs = {name: Value(values[name], name) for name in expression.names}
    root = expression.evaluate(inputs)
    root.backward()
    return root, inputs


def test_names_in_order_of_first_appearance_and_functions_excluded():
    assert parse("tanh(w*x + b) + w").names == ("w", "x", "b")
    assert parse("exp(1) * 2").names == ()


def test_value_and_gradients_of_the_neuron():
    root, inputs = evaluate("tanh(w*x + b)", w=-3.0, x=2.0, b=6.88)
    o = math.tanh(-3.0 * 2.0 + 6.88)
    assert root.data == pytest.approx(o, rel=1e-15)
    assert inputs["w"].grad == pytest.approx((1 - o * o) * 2.0, rel=1e-12)
    assert inputs["x"].grad == pytest.approx((1 - o * o) * -3.0, rel=1e-12)
    assert inputs["b"].grad == pytest.approx(1 - o * o, rel=1e-12)


def test_interior_nodes_are_labelled_with_their_source_text():
    root, _ = evaluate("tanh(w*x + b)", w=1.0, x=1.0, b=0.0)
    labels = [root.label, root.parents[0].label, root.parents[0].parents[0].label]
    assert labels == ["tanh(w*x + b)", "w*x + b", "w*x"]


@pytest.mark.parametrize(
    "text, value, gradient",
    [
        ("x**2", 9.0, 6.0),
        ("2**x", 8.0, 8.0 * math.log(2.0)),
        ("x**-1", 1 / 3, -1 / 9),
        ("-x + +x * 2", 3.0, 1.0),
        ("x/4 - 1", -0.25, 0.25),
        ("sigmoid(x) + relu(x) + log(x) + exp(x)",
         1 / (1 + math.exp(-3)) + 3 + math.log(3) + math.exp(3),
         math.exp(-3) / (1 + math.exp(-3)) ** 2 + 1 + 1 / 3 + math.exp(3)),
    ],
)
def test_operators_and_functions(text, value, gradient):
    root, inputs = evaluate(text, x=3.0)
    assert root.data == pytest.approx(value, rel=1e-12)
    assert inputs["x"].grad == pytest.approx(gradient, rel=1e-12)


def test_a_constant_expression_still_gives_a_value():
    root, inputs = evaluate("2*3 + exp(0)")
    assert isinstance(root, Value) and root.data == 7.0 and inputs == {}


def test_deep_nesting_evaluates_without_recursion():
    text = "-" * 1500 + "x"
    root, inputs = evaluate(text, x=2.0)
    assert root.data == 2.0 and inputs["x"].grad == 1.0


@pytest.mark.parametrize(
    "text, message",
    [
        ("x.__class__", "attribute access is not allowed (at column 1)"),
        ("x + y.real", "attribute access is not allowed (at column 5)"),
        ("__import__('os')", "calling '__import__' is not allowed (at column 1)"),
        ("__builtins__", "the name '__builtins__' is not allowed (at column 1)"),
        ("(lambda: 1)()", "calling an expression is not allowed (at column 1)"),
        ("lambda: x", "lambda is not allowed (at column 1)"),
        ("[x for x in y]", "a list comprehension is not allowed (at column 1)"),
        ("sum(x for x in y)", "calling 'sum' is not allowed (at column 1)"),
        ("{x: 1 for x in y}", "a dict comprehension is not allowed (at column 1)"),
        ("open('f')", "calling 'open' is not allowed (at column 1)"),
        ("x[0]", "indexing is not allowed (at column 1)"),
        ("x if y else 1",
         "the condition of an if/else must be a comparison such as x > 0 (at column 1)"),
        ("x < 1", "a comparison is allowed only as the condition of an if/else (at column 1)"),
        ("1 if x == 1 else 0", "the comparison Eq is not allowed; use < <= > >= (at column 6)"),
        ("clip(x, y, 1)", "the parameters of clip() must be numbers, not names (at column 9)"),
        ("clip(x)", "clip() takes exactly 3 arguments, by position: clip(x, lo, hi) (at column 1)"),
        ("x and y", "and/or is not allowed (at column 1)"),
        ("(y := 2)", "the := operator is not allowed (at column 2)"),
        ("x // 2", "the operator FloorDiv is not allowed; use + - * / ** % (at column 1)"),
        ("x @ y", "the operator MatMult is not allowed"),
        ("~x", "the operator Invert is not allowed (at column 1)"),
        ("'text'", "only real numbers are allowed, not 'text' (at column 1)"),
        ("True + x", "only real numbers are allowed, not True (at column 1)"),
        ("2j * x", "only real numbers are allowed, not 2j (at column 1)"),
        ("1e999 * x", "the number inf is too large (at column 1)"),
        ("tanh(x, y)", "tanh() takes exactly 1 argument, by position: tanh(x) (at column 1)"),
        ("tanh(x=1)", "tanh() takes exactly 1 argument, by position: tanh(x) (at column 1)"),
        ("f'{x}'", "an f-string is not allowed (at column 1)"),
        ("x y", "not a valid expression: invalid syntax at column 3"),
        ("(x", "not a valid expression: '(' was never closed at column 1"),
        ("", "the expression is empty"),
        ("   ", "the expression is empty"),
        ("x" * (MAX_LENGTH + 1), f"the limit is {MAX_LENGTH}"),
        ("(" * 300 + "x" + ")" * 300, "not a valid expression: too many nested parentheses"),
    ],
)
def test_everything_else_is_refused_with_its_position(text, message):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_missing_value_names_the_flag_to_give():
    with pytest.raises(ExpressionError, match=r"no value for 'b': give it with --at b=NUMBER"):
        parse("w*x + b").evaluate({"w": Value(1.0), "x": Value(2.0)})


@pytest.mark.parametrize(
    "text, x, value, gradient",
    [
        ("1 if x > 0 else 0", 0.5, 1.0, 0.0),
        ("log(x) if x > 0 else x", -2.0, -2.0, 1.0),  # the branch not taken is never evaluated
        ("log(x) if x > 0 else x", math.e, 1.0, 1 / math.e),
        ("x**2 if -1 <= x <= 1 else 0", 0.5, 0.25, 1.0),
        ("clip(x, -1, 1) + leaky_relu(x, 0.2)", -2.0, -1.4, 0.2),
        ("maximum(x, 1) + arctan2(x, 1) + x % 0.75", 2.0,
         2.0 + math.atan2(2.0, 1.0) + 0.5, 1.0 + 1 / 5 + 1.0),
        ("sin(x) + sqrt(x) + abs(x) + hypot(x, 4)", 3.0,
         math.sin(3.0) + math.sqrt(3.0) + 3.0 + 5.0,
         math.cos(3.0) + 0.5 / math.sqrt(3.0) + 1.0 + 3.0 / 5.0),
    ],
)
def test_if_else_comparisons_and_table_functions(text, x, value, gradient):
    root, inputs = evaluate(text, x=x)
    assert root.data == pytest.approx(value, rel=1e-12)
    assert inputs["x"].grad == pytest.approx(gradient, rel=1e-12)


def test_every_function_of_the_op_table_is_in_the_language():
    from autograd import ops
    from autograd.expr import FUNCTIONS

    for row in ops.ROWS:
        for name in (row.name, *row.aliases):
            assert name in FUNCTIONS
            required = len(row.parameters) - len(row.defaults)
            arguments = ", ".join(["x"] * row.arity + ["1"] * required)
            assert parse(f"{name}({arguments})").names == ("x",)
