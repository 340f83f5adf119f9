"""Seed 004 (logistic hidden layers, softmax output, cross-entropy): dC/ds_c = y_hat_c - y_c.

The seed: hidden layers z^(l) = f(s^(l)) with the logistic f, s_j = sum_i w_ji z_i where
index 0 is the bias unit (z_0 = 1, so w_j0 is the bias), softmax output
y_hat = g(s^(l)), cost C = -sum_k y_k log(y_hat_k). The engine builds it as
nn.MLP(3, [4, 5, 3], sigmoid, output linear) plus nn.losses.softmax_cross_entropy on
the logits: layers l-2, l-1, l are the MLP's W1, W2, W3 and w_j0 is its b{l}[j]. Each
of the seed's results is evaluated in plain Python (no engine) and compared:

  * the softmax Jacobian dg(s_i)/ds_j = g(s_i) (1{i=j} - g(s_j));
  * dC/ds_c = y_hat_c - y_c (for a one-hot y and for a probability vector y);
  * last layer:        dC/dw_kj^(l)   = (y_hat_k - y_k) z_j^(l-1);
  * second last layer: dC/dw_ji^(l-1) = sum_c (y_hat_c - y_c) w_cj z_j (1 - z_j) z_i^(l-2);
  * the error recursion delta^(l) = ((W^(l+1))^T delta^(l+1)) (.) f'(s^(l));
  * the batch update w_l <- w_l - alpha/|B| (y_hat - y)^T X_(l-1);
  * third last layer and the seed's open question, "should there be a summation over j?"
    YES: dC/dw_ih^(l-2) = sum_j sum_k (y_hat_k - y_k) w_kj z_j (1 - z_j) w_ji
    z_i (1 - z_i) z_h. The numbers: with the sum over j it matches the engine; any single
    j term alone does not, and the single-j terms add up to the engine's gradient.
    (w_ih^(l-2) reaches the cost through every unit j of layer l-1.)

Slips in the seed, pointed out and checked here:
  * dC/ds_c = y_hat_c - y_c uses sum_k y_k = 1. For a y that does not sum to 1 the
    derivation gives y_hat_c sum_k y_k - y_c, which the engine confirms.
  * "dg(s_i)/ds_j = g'(s_i)(1{i=j} - g(s_j))" should be g(s_i)(...), not g'(s_i); and the
    step "y_K x 1/y_hat_K x y_hat_L (...)" means y_hat_K.
  * "delta^(l) = (W^(l+1) delta^(l+1)) (+) f'(s^(l))" (and step iv) lacks the transpose
    and (+) should be the elementwise product (.): W^(l+1) is d_(l+1) x d_l, so W delta
    does not even have matching shapes unless the layers are equally wide.
  * Step iv runs "for each layer l = 1, 2, 3, ...", but backpropagation goes from the
    last layer down: l = L-1, L-2, ..., 1.
  * Index slips in the derivation: "dL/dw_ij^(l) = (y_hat_c - y_c) z_j^(l-1)" means
    dC/dw_cj^(l); "ds_j^(l-1)/dw_ji^(l-2)" means dw_ji^(l-1); and the second-last-layer
    line "[w_kj delta_k (.) f'(s_j)] z_i" needs the sum over k that the next line has.
  * x = [x_1, ..., x_m - x_n] should be x = [x_1, ..., x_d] (d features, m classes), and
    softmax maps R^m -> R^m, not R^N -> R^N.

Run: python -m examples.seed_004_softmax_cross_entropy  (from the repository root)
"""

from __future__ import annotations

import math
import random

from autograd import jacobian
from examples.plain_math import matvec, max_abs_diff
from examples.plain_math import sigmoid as logistic
from examples.seed_report import print_differences, print_summary, print_verdict
from examples.seed_setup import randomize_biases
from nn import MLP, losses, softmax

SIZES = [3, 4, 5, 3]  # d features; layer l-2 (i); layer l-1 (j); m = 3 classes (k)
BATCH = 4


def plain_softmax(s):
    top = max(s)
    e = [math.exp(v - top) for v in s]
    return [v / sum(e) for v in e]


def with_bias(z):
    """[1, z_1, ..., z_d]: the seed's bias unit z_0 = 1 in front."""
    return [1.0] + list(z)


def plain_forward(Ws, x):
    """Seed forward pass; Ws[l][j] = [w_j0 (bias), w_j1, ...]. Returns the z's and y_hat."""
    zs = [with_bias(x)]
    for W in Ws[:-1]:
        zs.append(with_bias([logistic(v) for v in matvec(W, zs[-1])]))
    logits = matvec(Ws[-1], zs[-1])
    return zs, logits, plain_softmax(logits)


def seed_results(Ws, x, y):
    """The seed's formulas for one example, in plain Python."""
    zs, logits, y_hat = plain_forward(Ws, x)
    z_h, z_i, z_j = zs  # layer l-3 (input), l-2, l-1, each with z_0 = 1
    W_i, W_j, W_k = Ws  # w^(l-2), w^(l-1), w^(l)
    err = [y_hat[k] - y[k] for k in range(len(y))]
    K, J, I = range(len(W_k)), range(1, len(z_j)), range(1, len(z_i))  # noqa: E741
    last = [[err[k] * z_j[j] for j in range(len(z_j))] for k in K]
    second = [[sum(err[c] * W_k[c][j] for c in K) * z_j[j] * (1 - z_j[j]) * z_i[i]
               for i in range(len(z_i))] for j in J]

    def third_term(j, i, h):  # one j term of the third-last-layer gradient
        return (sum(err[k] * W_k[k][j] for k in K) * z_j[j] * (1 - z_j[j]) * W_j[j - 1][i]
                * z_i[i] * (1 - z_i[i]) * z_h[h])

    third_summed = [[sum(third_term(j, i, h) for j in J) for h in range(len(z_h))] for i in I]
    third_single = {j: [[third_term(j, i, h) for h in range(len(z_h))] for i in I] for j in J}
    # delta recursion with the transpose: delta^(l-1) = (W^(l)^T delta^(l)) (.) f'(s^(l-1))
    delta_k = err
    delta_j = [sum(W_k[k][j] * delta_k[k] for k in K) * z_j[j] * (1 - z_j[j]) for j in J]
    delta_i = [sum(W_j[j - 1][i] * delta_j[j - 1] for j in J) * z_i[i] * (1 - z_i[i]) for i in I]
    general_y_grad = [y_hat[c] * sum(y) - y[c] for c in K]
    jac = [[y_hat[a] * ((1.0 if a == b else 0.0) - y_hat[b]) for b in K] for a in K]
    return {"logits": logits, "y_hat": y_hat, "dC_ds": err, "general_dC_ds": general_y_grad,
            "last": last, "second": second, "third_summed": third_summed,
            "third_single": third_single, "delta_j": delta_j, "delta_i": delta_i,
            "jacobian": jac, "z_j": z_j}


def build(seed: int):
    model = MLP(SIZES[0], SIZES[1:], activation="sigmoid", output_activation="linear",
                seed=seed, init_scale=1.0)
    rng = random.Random(seed)
    P = dict(model.named_parameters())
    randomize_biases(P.items(), rng)
    Ws = [[[P[f"b{l}[{j}]"].data] + [P[f"W{l}[{j},{i}]"].data for i in range(SIZES[l - 1])]
           for j in range(SIZES[l])] for l in (1, 2, 3)]  # noqa: E741
    return model, P, Ws, rng


def engine_pass(model, P, x, y):
    """Run the engine on one example; return the logits, the s nodes and gradient tables."""
    z_i = model.layers[0](x)
    z_j = model.layers[1](z_i)
    logits = model.layers[2](z_j)
    loss = losses.softmax_cross_entropy(logits, y)
    model.zero_grad()
    loss.backward()

    def grads(l):  # noqa: E741
        return [[P[f"b{l}[{j}]"].grad] + [P[f"W{l}[{j},{i}]"].grad for i in range(SIZES[l - 1])]
                for j in range(SIZES[l])]

    return {"dC_ds": [s.grad for s in logits],
            "delta_j": [z.parents[0].grad for z in z_j],  # z = sigmoid(s): parents[0] is s
            "delta_i": [z.parents[0].grad for z in z_i],
            "W1": grads(1), "W2": grads(2), "W3": grads(3), "loss": loss.data}


def check(seed: int = 4) -> dict:
    """Compare engine and the seed's results; return the largest differences."""
    model, P, Ws, rng = build(seed)
    x = [rng.uniform(-1.0, 1.0) for _ in range(SIZES[0])]
    results = {}
    targets = {"one-hot": [0.0, 1.0, 0.0], "probabilities": [0.2, 0.5, 0.3]}
    for kind, y in targets.items():
        seed_r = seed_results(Ws, x, y)
        eng = engine_pass(model, P, x, y)
        results[f"dC/ds_c = y_hat_c - y_c ({kind})"] = max_abs_diff(eng["dC_ds"], seed_r["dC_ds"])
        if kind == "one-hot":
            results["last layer"] = max_abs_diff(eng["W3"], seed_r["last"])
            results["second last layer"] = max_abs_diff(eng["W2"][:], seed_r["second"])
            results["third last layer, with sum over j"] = max_abs_diff(
                eng["W1"], seed_r["third_summed"])
            results["delta recursion (with transpose)"] = max(
                max_abs_diff(eng["delta_j"], seed_r["delta_j"]),
                max_abs_diff(eng["delta_i"], seed_r["delta_i"]))
            single = [max_abs_diff(eng["W1"], t) for t in seed_r["third_single"].values()]
            added = [[sum(t[i][h] for t in seed_r["third_single"].values())
                      for h in range(SIZES[0] + 1)] for i in range(SIZES[1])]
            results["single j terms, added up"] = max_abs_diff(eng["W1"], added)
            jac = jacobian(lambda *s: softmax(list(s)), seed_r["logits"])
            results["softmax Jacobian"] = max_abs_diff(jac, seed_r["jacobian"])
    # A target that does not sum to 1: the seed's last step assumes sum_k y_k = 1.
    y_odd = [0.5, 0.9, 0.0]
    seed_r = seed_results(Ws, x, y_odd)
    eng = engine_pass(model, P, x, y_odd)
    results["dC/ds_c = y_hat_c sum(y) - y_c (y sums to 1.4)"] = max_abs_diff(
        eng["dC_ds"], seed_r["general_dC_ds"])
    # The batch update w_l <- w_l - alpha/|B| (y_hat - y)^T X_(l-1): its gradient part.
    batch_x = [[rng.uniform(-1.0, 1.0) for _ in range(SIZES[0])] for _ in range(BATCH)]
    batch_y = [[1.0 if k == n % SIZES[-1] else 0.0 for k in range(SIZES[-1])]
               for n in range(BATCH)]
    model.zero_grad()
    mean_cost = losses.softmax_cross_entropy([model(v) for v in batch_x], batch_y) / BATCH
    mean_cost.backward()
    engine_W3 = [[P[f"b3[{k}]"].grad] + [P[f"W3[{k},{j}]"].grad for j in range(SIZES[2])]
                 for k in range(SIZES[3])]
    rows = [plain_forward(Ws, v) for v in batch_x]
    X_prev = [zs[-1] for zs, _, _ in rows]  # B x (d_(l-1) + 1), bias column first
    E = [[y_hat[k] - y[k] for k in range(SIZES[3])] for (_, _, y_hat), y in zip(rows, batch_y,
                                                                                  strict=True)]
    batch_grad = [[sum(E[n][k] * X_prev[n][j] for n in range(BATCH)) / BATCH
                   for j in range(SIZES[2] + 1)] for k in range(SIZES[3])]
    results["batch form 1/|B| (y_hat - y)^T X_(l-1)"] = max_abs_diff(engine_W3, batch_grad)
    return {"checks": results, "single_j_smallest": min(single),
            "seed_without_sum_assumption": max_abs_diff(eng["dC_ds"], seed_r["dC_ds"]),
            "untransposed_shapes": ((SIZES[2], SIZES[1]), (SIZES[2],))}


def main() -> dict:
    print_summary(__doc__)
    r = check()
    print("largest |engine - seed formula|:")
    print_differences(r["checks"], width=48)
    print("the open question, summation over j in the third-last layer:")
    print(f"  with the sum: {r['checks']['third last layer, with sum over j']:.3e}; "
          f"any single j term alone: at best {r['single_j_smallest']:.3e} off -> the sum is needed")
    print("slip: y_hat_c - y_c for a y summing to 1.4 differs from the engine by "
          f"{r['seed_without_sum_assumption']:.3e}")
    (rows, cols), (length,) = r["untransposed_shapes"]
    print(f"slip: W^(l) delta^(l) without the transpose: W^(l) is {rows} x {cols}, delta^(l) has "
          f"{length} entries, so W delta is undefined; (W^(l))^T delta^(l) has {cols}")
    print_verdict(max(r["checks"].values()))
    return r


if __name__ == "__main__":
    main()
