"""Ops declared with define_op that several test files use: softsign, swish, a smooth max."""

import math

from autograd import define_op, exp, sigmoid


def softsign_forward(x):
    return x / (1 + abs(x))


def softsign_derivative(x):
    return 1 / (1 + abs(x)) ** 2


softsign = define_op("softsign", softsign_forward, softsign_derivative, "1 / (1 + abs(x))**2")
swish = define_op(
    "swish",
    lambda x: x / (1 + math.exp(-x)),
    lambda x, out: out + (1 - out) * sigmoid(x),  # autograd's sigmoid: floats, Values, arrays
    "out + (1 - out) * sigmoid(x)",
)
smooth_max = define_op(
    "smooth_max",
    lambda x, y: math.log(math.exp(x) + math.exp(y)),
    lambda x, y, out: (exp(x - out), exp(y - out)),
    ("exp(x - out)", "exp(y - out)"),
)
