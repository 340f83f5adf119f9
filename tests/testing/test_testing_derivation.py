"""check_derivation: right claims pass, classic slips are caught and named, kinks are fair."""

import math

import numpy as np
import pytest

from autograd import Value, relu
from autograd.expr import ExpressionError
from autograd.testing import DerivationMismatch, DerivationReport, check_derivation

FEW = 40  # points per check: enough to meet every slip here, quick enough for the suite


def mismatch(f, claims, **options) -> DerivationMismatch:
    options.setdefault("examples", FEW)
    with pytest.raises(DerivationMismatch) as caught:
        check_derivation(f, claims, **options)
    return caught.value


# --- the seed-style layer: T = f(Wx + b), L = 1/2 sum (T - t)^2 (seed 000) -----------------

LAYER = {"W": (2, 3), "b": (2,), "x": (3,), "t": (2,)}
SQUARE = {"W": (3, 3), "b": (3,), "x": (3,), "t": (3,)}


def layer_loss(W, b, x, t):
    return ((np.tanh(W @ x + b) - t) ** 2).sum() / 2


def delta(W, b, x, t):
    """dL/dy_i = (f(y_i) - t_i) f'(y_i), the seed's common factor."""
    t_hat = np.tanh(W @ x + b)
    return (t_hat - t) * (1 - t_hat**2)


RIGHT = {
    "W": lambda W, b, x, t: np.outer(delta(W, b, x, t), x),
    "b": delta,
    "x": lambda W, b, x, t: W.T @ delta(W, b, x, t),
}


# --- correct claims pass ----------------------------------------------------------------------


def test_correct_scalar_string_claims_pass():
    report = check_derivation("tanh(w*x + b)", {"w": "x*(1 - tanh(w*x + b)**2)",
                                                "b": "1 - tanh(w*x + b)**2"}, examples=FEW)
    assert isinstance(report, DerivationReport)
    assert report.checked == ("w", "b") and report.unchecked == ("x",)
    assert report.points == FEW
    assert str(report).startswith("the claimed derivatives of tanh(w*x + b) with respect to "
                                  "w, b hold at 40 points (seed 0)")


def test_correct_callable_claims_pass():
    def f(x, y):
        return (x * y).sin() + x.exp() / y

    report = check_derivation(f, {"x": lambda x, y: y * math.cos(x * y) + math.exp(x) / y,
                                  "y": lambda x, y: x * math.cos(x * y) - math.exp(x) / y**2},
                              domain={"y": (0.5, 2.0)}, examples=FEW)
    assert report.checked == ("x", "y") and report.points == FEW


def test_correct_matrix_claims_pass():
    report = check_derivation(layer_loss, RIGHT, shapes=LAYER, examples=FEW)
    assert report.checked == ("W", "b", "x") and report.unchecked == ("t",)


def test_a_claim_may_name_just_the_inputs_it_uses():
    check_derivation("x*y + x*x", {"x": lambda x, y: y + 2 * x, "y": lambda x: x},
                     examples=FEW)


def test_inputs_with_a_default_are_constants_not_inputs():
    def f(x, scale=3.0):
        return scale * x * x

    report = check_derivation(f, {"x": lambda x: 6.0 * x}, examples=FEW)
    assert report.checked == ("x",) and report.unchecked == ()


# --- the catalogue of slips -------------------------------------------------------------------


def test_a_flipped_sign():
    err = mismatch("x*y + x*x", {"x": "-(y + 2*x)"})
    assert err.diagnosis == "sign flipped: claimed = -actual at every point tried"
    assert err.claimed == -err.actual


def test_a_missing_factor_of_two():
    err = mismatch("x**2 * y", {"x": "x*y"})
    assert err.diagnosis == "off by a factor of 1/2: claimed = actual / 2 at every point tried"


def test_a_missing_path_is_named_by_the_nodes_label():
    err = mismatch("x*y + x*x", {"x": "y"})
    assert err.diagnosis == ("missing the 2 paths through node 'x*x' "
                             "(2 of 3 paths from the root down to x)")


def test_a_missing_path_through_an_unlabelled_node_is_named_as_in_the_ledger():
    def f(x, y):
        return x * y + x * x

    err = mismatch(f, {"x": lambda x, y: y})
    assert err.diagnosis == "missing the 2 paths through %2 (2 of 3 paths from the root down to x)"
    # the ledger of err.root names the nodes the same way
    from viz.ledger import backprop_steps

    assert "%2" in backprop_steps(err.root).names.values()


def test_half_of_a_product_rule_is_one_missing_path():
    err = mismatch("x*y + x*x", {"x": "y + x"})
    assert err.diagnosis.startswith("missing one of the 2 paths x*y + x*x -> x*x -> x "
                                    "(x enters x*x twice)")


def test_a_derivative_with_respect_to_the_wrong_input():
    err = mismatch("x*y", {"x": "x"})
    assert err.diagnosis == "this is the derivative with respect to y, not x, at every point tried"


def test_a_stray_sum_over_i_in_seed_000():
    """delta w_ij = sum_i (f(y_i) - t_i) x_j f'(y_i), as seed 000 writes it."""
    err = mismatch(layer_loss, {"W": lambda W, b, x, t: np.outer(
        np.full(2, delta(W, b, x, t).sum()), x)}, shapes=LAYER)
    assert err.input == "W"
    assert err.diagnosis.startswith(
        "a stray sum over i: every row of the claim is the same, the sum of the actual "
        "gradient over i (claimed[i, j] = sum over i of actual[i, j])")
    assert err.claimed.shape == err.actual.shape == (2, 3)
    err = mismatch(layer_loss, {"b": lambda W, b, x, t: np.full(2, delta(W, b, x, t).sum())},
                   shapes=LAYER)
    assert err.diagnosis.startswith("a stray sum over i: every entry of the claim is the same")


def test_w_where_w_transpose_is_meant_in_seed_004():
    """delta^(l) = (W^(l+1) delta^(l+1)) f'(s^(l)): seed 004's missing transpose."""
    err = mismatch(layer_loss, {"x": lambda W, b, x, t: W @ delta(W, b, x, t)}, shapes=SQUARE)
    assert err.diagnosis.startswith("W where W.T is meant: the claim is W @ v where the "
                                    "derivative is W.T @ v")


def test_a_transposed_claim():
    err = mismatch(layer_loss, {"W": lambda W, b, x, t: np.outer(x, delta(W, b, x, t))},
                   shapes=SQUARE)
    assert err.diagnosis.startswith("transposed: the claim's transpose equals d f / d W")


def test_a_dropped_one_over_n():
    def mse(X, w, y):
        return ((X @ w - y) ** 2).mean()

    err = mismatch(mse, {"w": lambda X, w, y: 2 * X.T @ (X @ w - y)},
                   shapes={"X": (4, 3), "w": (3,), "y": (4,)})
    assert err.diagnosis == ("off by a factor of 4: claimed = 4 * actual at every point tried "
                             "(4 is the length of axis 0 of X: a 1/N is missing, as in a mean?)")


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


DEEP = {"W1": (2, 2), "W2": (3, 2), "W3": (1, 3), "x": (2,), "y": (1,)}  # j has 3 units


def deep_loss(W1, W2, W3, x, y):
    z2 = sigmoid(W2 @ sigmoid(W1 @ x))
    return ((W3 @ z2 - y) ** 2).sum() / 2


def deep_claim(W1, W2, W3, x, y, summed=True):
    z1 = sigmoid(W1 @ x)
    z2 = sigmoid(W2 @ z1)
    delta2 = (W3.T @ (W3 @ z2 - y)) * z2 * (1 - z2)
    back = W2.T @ delta2 if summed else delta2[0] * W2[0, :]  # the sum over j, or j = 0 only
    return np.outer(back * z1 * (1 - z1), x)


def test_seed_004s_question_the_sum_over_j_is_needed():
    check_derivation(deep_loss, {"W1": deep_claim}, shapes=DEEP, examples=20)
    err = mismatch(deep_loss, {"W1": lambda W1, W2, W3, x, y: deep_claim(W1, W2, W3, x, y,
                                                                          summed=False)},
                   shapes=DEEP, examples=20)
    assert "has only the path through %" in err.diagnosis
    assert "missing the paths through %" in err.diagnosis
    assert "(2 of 3 paths from the root down to W1[" in err.diagnosis


# --- strings and callables, reproducibility, the message --------------------------------------


def test_strings_and_callables_agree():
    def f(x, y):
        return x * y + x * x

    as_text = mismatch("x*y + x*x", {"x": "y + 3*x"})
    as_code = mismatch(f, {"x": lambda x, y: y + 3 * x})
    assert as_text.point == as_code.point
    assert (as_text.claimed, as_text.actual) == (as_code.claimed, as_code.actual)
    assert as_text.diagnosis.startswith("counts one of the 2 paths")
    assert as_code.diagnosis.startswith("counts one of the 2 paths")
    right_text = check_derivation("x*y + x*x", {"x": "y + 2*x"}, examples=FEW)
    right_code = check_derivation(f, {"x": lambda x, y: y + 2 * x}, examples=FEW)
    assert right_text.points == right_code.points == FEW


def test_the_same_seed_gives_the_same_counterexample():
    def f(w, x, b):
        return (w * x + b).tanh() * (w - b).exp()

    def claim(w, x, b):  # the product rule's second term with the wrong sign
        return (x * (1 - math.tanh(w * x + b) ** 2) - math.tanh(w * x + b)) * math.exp(w - b)

    first = mismatch(f, {"w": claim}, seed=3)
    again = mismatch(f, {"w": claim}, seed=3)
    assert str(first) == str(again) and first.point == again.point
    assert first.diagnosis == ("the sign of the path through %5 is flipped "
                               "(1 of 2 paths from the root down to w)")
    assert mismatch(f, {"w": claim}, seed=4).diagnosis == first.diagnosis


def test_a_pinned_input_stays_at_its_value():
    err = mismatch("x*y + x*x", {"x": "y"}, domain={"y": (0.5, 0.5)})
    assert err.point["y"] == 0.5


def test_the_mismatch_carries_the_point_both_values_and_the_diagnosis():
    err = mismatch("x*y + x*x", {"x": "y"})
    assert isinstance(err, AssertionError)
    assert err.input == "x" and set(err.point) == {"x", "y"}
    assert err.claimed == err.point["y"]
    assert err.actual == err.point["y"] + 2 * err.point["x"]
    assert err.root.data == err.point["x"] * err.point["y"] + err.point["x"] ** 2
    text = str(err)
    assert text.splitlines()[0] == "the claimed derivative of x*y + x*x with respect to x is wrong"
    for part in (f"x = {err.point['x']!r}", f"claimed:     {err.claimed!r}",
                 f"actual:      {err.actual!r} (backprop)", f"diagnosis:   {err.diagnosis}"):
        assert part in text


def test_the_matrix_message_names_the_first_wrong_entry():
    err = mismatch(layer_loss, {"b": lambda W, b, x, t: -delta(W, b, x, t)}, shapes=LAYER)
    assert err.diagnosis == "sign flipped: claimed = -actual at every point tried"
    assert "first wrong: b[" in str(err)
    assert isinstance(err.point["W"], np.ndarray) and err.point["W"].shape == (2, 3)


def test_a_claim_undefined_where_the_derivative_exists():
    err = mismatch("x*x", {"x": "x + x*x/x"})
    assert err.point == {"x": 0.0}
    assert err.diagnosis.startswith("the claim is undefined here (DivisionByZeroError")


def test_f_that_ignores_the_input():
    err = mismatch(lambda x, y: y * y, {"x": lambda x, y: 1.0})
    assert err.actual == 0.0
    assert err.diagnosis == "f does not depend on x: its derivative is 0"


# --- kinks --------------------------------------------------------------------------------------


def test_a_true_claim_at_a_relu_kink_is_not_flagged():
    # At x = 0 the claim says 1 and the engine 0: both are one-sided derivatives there.
    report = check_derivation("relu(x) * y", {"x": "y if x >= 0 else 0", "y": "relu(x)"},
                              domain={"y": (1.0, 2.0)}, examples=FEW)
    assert report.at_kinks >= 1


def test_a_true_claim_undefined_at_an_abs_kink_is_not_flagged():
    report = check_derivation("abs(x)", {"x": "x / abs(x)"}, examples=100)
    assert report.skipped >= 1  # x = 0: no derivative to claim


def test_a_true_claim_at_kinks_in_matrix_form():
    def f(W, x):
        return np.frompyfunc(relu, 1, 1)(W @ x).sum()

    report = check_derivation(f, {"W": lambda W, x: np.outer((W @ x >= 0) * 1.0, x)},
                              shapes={"W": (2, 2), "x": (2,)}, domain={"x": (1.0, 2.0)},
                              examples=FEW)
    assert report.at_kinks >= 1


@pytest.mark.parametrize("f, claim", [("abs(x)", "1"), ("relu(x)", "1"),
                                      ("relu(x)", "2 if x > 0 else 0"),
                                      ("abs(x)", "-1 if x > 0 else 1")])
def test_a_wrong_claim_is_flagged_however_close_the_points_come_to_the_kink(f, claim):
    err = mismatch(f, {"x": claim}, domain=(-1e-6, 1e-6))
    assert abs(err.point["x"]) < 1e-6


# --- bad input ------------------------------------------------------------------------------------


def test_a_claim_of_the_wrong_shape_names_the_input_and_both_shapes():
    with pytest.raises(ValueError, match=r"the claim for 'W' returned shape \(3, 2\), but W has "
                                         r"shape \(2, 3\) \(the transpose of W's shape"):
        check_derivation(layer_loss, {"W": lambda W, b, x, t: np.outer(x, delta(W, b, x, t))},
                         shapes=LAYER, examples=FEW)
    with pytest.raises(ValueError, match=r"the claim for 'b' returned shape \(\), but b has "
                                         r"shape \(2,\)"):
        check_derivation(layer_loss, {"b": lambda W, b, x, t: delta(W, b, x, t).sum()},
                         shapes=LAYER, examples=FEW)
    with pytest.raises(ValueError, match=r"returned an array of shape \(2,\), but x is a scalar"):
        check_derivation("x*y", {"x": lambda x, y: np.array([y, y])}, examples=FEW)


@pytest.mark.parametrize("claims, message", [
    ({"z": "1"}, r"claims name unknown inputs 'z'; the inputs of x\*y are x, y"),
    ({"x": 2.0}, r"the claim for 'x' must be an expression string or a function"),
    ({"x": "z + 1"}, r"the claim for 'x' \('z \+ 1'\) uses 'z', not inputs"),
    ({"x": lambda a: a}, r"the claim for 'x' takes \(a\), but the inputs of x\*y are \(x, y\)"),
    ({"x": lambda x, y: "y"}, r"the claim for 'x' returned str"),
    ({}, r"claims must be a non-empty dict"),
])
def test_bad_claims_are_a_value_error_naming_them(claims, message):
    with pytest.raises(ValueError, match=message):
        check_derivation("x*y", claims, examples=FEW)


def test_a_bad_expression_in_a_claim_is_refused_like_any_expression():
    with pytest.raises(ExpressionError, match=r"the claim for 'x': attribute access is not"):
        check_derivation("x*y", {"x": "y.__class__"}, examples=FEW)


def test_string_claims_are_for_scalar_inputs():
    with pytest.raises(ValueError, match=r"the claim for 'b' is a string, but b has shape"):
        check_derivation(layer_loss, {"b": "1"}, shapes=LAYER, examples=FEW)


def test_a_crashing_claim_names_the_input():
    with pytest.raises(ValueError, match=r"the claim for 'x' \(a lambda\) raised ValueError: "
                                         r"matmul"):
        check_derivation(layer_loss, {"x": lambda W, b, x, t: W @ delta(W, b, x, t)},
                         shapes=LAYER, examples=FEW)


def test_f_undefined_on_the_whole_domain():
    with pytest.raises(ValueError, match=r"no drawn point of log\(x\) could be checked"):
        check_derivation("log(x)", {"x": "1/x"}, domain=(-3.0, -1.0), examples=FEW)


def test_f_must_return_a_scalar():
    with pytest.raises(TypeError, match=r"must return a scalar Value, got an array of shape"):
        check_derivation(lambda x: np.tanh(x), {"x": lambda x: 1 - np.tanh(x) ** 2},
                         shapes={"x": (2,)}, examples=FEW)


def test_options_are_checked():
    with pytest.raises(ValueError, match=r"shapes name unknown inputs 'q'"):
        check_derivation("x*y", {"x": "y"}, shapes={"q": (2,)})
    with pytest.raises(ValueError, match=r"domain\['x'\] must be finite with lo <= hi"):
        check_derivation("x*y", {"x": "y"}, domain={"x": (2.0, 1.0)})
    with pytest.raises(ValueError, match=r"examples must be a positive int"):
        check_derivation("x*y", {"x": "y"}, examples=0)
    with pytest.raises(ValueError, match=r"the expression language is scalar"):
        check_derivation("x*y", {"x": "y"}, shapes={"x": (2,)})


def test_values_work_in_the_numpy_forms_the_seeds_use():
    W = np.array([[Value(0.5), Value(-1.0)], [Value(2.0), Value(0.25)]], dtype=object)
    x = np.array([Value(1.0), Value(-2.0)], dtype=object)
    z = W @ x + np.array([0.1, -0.1])
    h = np.tanh(z)
    total = (h * h).sum() + np.outer(h, x).sum() + (W.T @ h).mean()
    assert isinstance(total, Value)
    total.backward()
    assert all(isinstance(w.grad, float) and w.grad != 0.0 for w in W.flat)


# --- one kind of chain-rule step taken wrongly (seeds 003 and 004) ----------------------------


def test_an_activations_derivative_taken_at_its_output_in_seed_003():
    """sigmoid_derivative(y_hat) read as sigma'(y_hat) where y_hat (1 - y_hat) is meant."""
    y_hat = "sigmoid(w*x)"
    right = f"2*({y_hat} - y) * {y_hat}*(1 - {y_hat}) * x"
    check_derivation(f"({y_hat} - y)**2", {"w": right}, examples=FEW)
    at_output = f"2*({y_hat} - y) * sigmoid({y_hat})*(1 - sigmoid({y_hat})) * x"
    err = mismatch(f"({y_hat} - y)**2", {"w": at_output})
    assert err.diagnosis == ("sigmoid' taken at the node's output: the claim uses "
                             "sigmoid'(out) = sigmoid'(sigmoid(u)) where the chain rule needs "
                             "sigmoid'(u) = out * (1 - out) at each sigmoid node (u its input, "
                             "out its output), at every point tried")


def test_an_output_rule_applied_to_the_input():
    """tanh'(s) written 1 - s**2 with s the input: the rule 1 - out**2 wants tanh's output."""
    err = mismatch("tanh(w*x)", {"w": "(1 - (w*x)**2) * x"})
    assert err.diagnosis == ("tanh's derivative 1 - out**2 applied to the node's input: the "
                             "claim uses 1 - u**2 where the chain rule needs 1 - out**2 at each "
                             "tanh node (u its input, out = tanh(u)), at every point tried")


def test_the_rows_formula_names_the_nodes_input_u_not_x():
    """sin's row writes cos(x); x is also an input of f here, so the node's input is u."""
    err = mismatch("sin(w*x)", {"w": "x * cos(sin(w*x))"})
    assert err.diagnosis.startswith("sin' taken at the node's output: the claim uses "
                                    "sin'(out) = sin'(sin(u)) where the chain rule needs "
                                    "sin'(u) = cos(u) at each sin node")


def two_layers(W1, W2, x, y):
    return ((W2 @ np.tanh(W1 @ x) - y) ** 2).sum() / 2


TWO = {"W1": (2, 2), "W2": (2, 2), "x": (2,), "y": (2,)}


def two_layer_claim(W1, W2, x, y, transpose=True):
    h = np.tanh(W1 @ x)
    delta2 = W2 @ h - y
    back = W2.T @ delta2 if transpose else W2 @ delta2  # seed 004: (W^(l+1) delta^(l+1))
    return np.outer(back * (1 - h**2), x)


def test_a_dropped_transpose_inside_a_delta_recursion_in_seed_004():
    check_derivation(two_layers, {"W1": two_layer_claim}, shapes=TWO, examples=FEW)
    err = mismatch(two_layers, {"W1": lambda W1, W2, x, y: two_layer_claim(
        W1, W2, x, y, transpose=False)}, shapes=TWO)
    assert err.diagnosis == ("W2 where W2.T is meant: going back from W2 @ v to v the claim "
                             "multiplies by W2 instead of W2.T (W2[j,i] in place of W2[i,j]), "
                             "at every point tried (a missing or extra .T on W2)")
