"""benchmarks/views.py on a two-sample batch: every view is produced, no clock is checked."""

from autograd import topological_order
from benchmarks.views import moons_loss, time_views


def test_every_view_is_timed_and_the_value_level_skips_its_render_past_the_limit():
    rows = time_views(2, value_samples=1, renderer="auto")
    _, loss = moons_loss(2)
    values = len(topological_order(loss))
    assert [row[:3] for row in rows] == [(level, 2, values)
                                         for level in ("value", "neuron", "layer")]
    value, neuron, layer = rows
    assert value[4] is None and value[5] is None  # past --value-samples: DOT only
    assert all(isinstance(x, float) and x > 0 for x in (*neuron[3:], *layer[3:]))
