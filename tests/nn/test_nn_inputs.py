"""Models take numpy inputs: 1-D arrays, lists of numpy floats, 2-D arrays as batches."""

import math

import numpy as np
import pytest

import nn
from autograd import Value
from nn import MLP, Layer, Neuron, data, fit, losses, optim


def datas(outputs):
    return [v.data for v in outputs]


def test_a_1d_array_and_a_list_of_numpy_floats_give_the_list_result():
    model = MLP(2, [4, 3], seed=0)
    expected = datas(model([0.5, -1.25]))
    assert datas(model(np.array([0.5, -1.25]))) == expected
    assert datas(model([np.float64(0.5), np.float64(-1.25)])) == expected
    assert datas(model(np.array([0.5, -1.25], dtype=np.float32))) == expected  # exact in f32
    assert datas(model(np.array([1, 2]))) == datas(model([1.0, 2.0]))


def test_a_2d_array_is_a_batch_with_one_output_list_per_row():
    X = np.array([[0.5, -1.0], [1.5, 2.0], [0.0, 0.25]])
    model = MLP(2, [3, 2], activation="relu", seed=1)
    batch = model(X)
    assert len(batch) == 3 and all(len(out) == 2 for out in batch)
    for row, out in zip([[0.5, -1.0], [1.5, 2.0], [0.0, 0.25]], batch, strict=True):
        assert datas(out) == datas(model(row))
    layer_batch = Layer(2, 4, seed=0)(X)
    assert [len(out) for out in layer_batch] == [4, 4, 4]
    neuron = Neuron(2, seed=0)
    assert [v.data for v in neuron(X)] == [neuron(list(row)).data for row in X.tolist()]


def test_nan_or_inf_inputs_are_refused_naming_the_position():
    model = MLP(3, [2], seed=0)
    with pytest.raises(ValueError, match=r"^MLP input 1 is nan; inputs must be finite"):
        model(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match=r"^MLP input 2 is inf"):
        model([0.0, 1.0, math.inf])
    with pytest.raises(ValueError, match=r"^MLP row 1, input 0 is -inf"):
        model(np.array([[0.0, 1.0, 2.0], [-np.inf, 0.0, 0.0]]))
    with pytest.raises(ValueError, match=r"^Neuron input 0 is nan"):
        Neuron(1, seed=0)([Value(math.nan, "x")])
    with pytest.raises(ValueError, match=r"^Layer input 1 is nan"):
        Layer(2, 2, seed=0)([np.float64(1.0), np.float64("nan")])


def test_arrays_of_the_wrong_kind_or_shape_are_refused_by_name():
    model = MLP(2, [2], seed=0)
    with pytest.raises(TypeError, match="numpy array of bools"):
        model(np.array([True, False]))
    with pytest.raises(TypeError, match="numpy array of dtype <U1"):
        model(np.array(["a", "b"]))
    with pytest.raises(ValueError, match=r"1-D array of 2 inputs, got shape \(1, 1, 2\)"):
        model(np.zeros((1, 1, 2)))
    with pytest.raises(ValueError, match="takes 2 inputs, got 3 in row 0"):
        model(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="takes 2 inputs, got 3$"):
        model(np.zeros(3))
    with pytest.raises(TypeError, match="input 0 must be a real number or a Value, got bool np"):
        model([np.True_, 1.0])


def test_an_object_array_of_values_carries_the_gradient():
    x = np.array([Value(0.5, "x0"), Value(-1.0, "x1")])
    model = MLP(2, [3, 1], seed=0)
    model(x)[0].backward()
    plain = MLP(2, [3, 1], seed=0)
    x_list = [Value(0.5), Value(-1.0)]
    plain(x_list)[0].backward()
    assert [v.grad for v in x] == [v.grad for v in x_list] and x[0].grad != 0.0


def test_micrograd_models_take_arrays_and_batches_too():
    import random

    random.seed(3)
    model = nn.micrograd.MLP(2, [4, 1])
    single = model(np.array([0.5, -1.0]))
    assert isinstance(single, Value) and single.data == model([0.5, -1.0]).data
    assert [v.data for v in model(np.array([[0.5, -1.0], [2.0, 0.0]]))] == [
        model([0.5, -1.0]).data, model([2.0, 0.0]).data,
    ]
    with pytest.raises(ValueError, match="MLP input 0 is nan"):
        model(np.array([np.nan, 0.0]))


def test_fit_takes_numpy_data():
    X, labels = data.make_moons(30, noise=0.1, seed=0)
    y = data.signed(labels)
    histories = []
    for X_in, y_in in ((X, y), (np.array(X), np.array(y))):
        model = MLP(2, [6, 1], activation="relu", seed=0)
        histories.append(fit(model, X_in, y_in, losses.hinge,
                             optim.SGD(model.parameters(), lr=0.3), epochs=4, progress=False))
    assert histories[0] == histories[1]
    assert nn.accuracy([0.5, -0.5], np.array([1, -1])) == 1.0
