"""Seeing backprop: draw graphs, print the chain-rule ledger, step through it in a browser.

Importing viz needs only the standard library; drawing needs the graphviz package and a
renderer (the system `dot`, else graphviz-pure), both in the `viz` extra. In Jupyter a
drawing shows as SVG, a ledger (`backprop_steps`) as an HTML table and `stepper_html(root)`
as the stepper page inline.
"""

from viz.drawing import (
    GraphDrawing,
    GraphTooLargeError,
    MissingGraphvizError,
    draw_graph,
    render,
)
from viz.explain import Explanation, GradientPath, TooManyPathsError, explain
from viz.formatting import format_steps, print_steps
from viz.frames import render_steps
from viz.ledger import EdgeStep, Ledger, Step, backprop_steps
from viz.rendering import RendererNotFoundError, RenderError, find_renderer
from viz.stepper import StepperPage, stepper_html

__all__ = [
    "EdgeStep",
    "Explanation",
    "GradientPath",
    "GraphDrawing",
    "GraphTooLargeError",
    "Ledger",
    "MissingGraphvizError",
    "RenderError",
    "RendererNotFoundError",
    "Step",
    "StepperPage",
    "TooManyPathsError",
    "backprop_steps",
    "draw_graph",
    "explain",
    "find_renderer",
    "format_steps",
    "print_steps",
    "render",
    "render_steps",
    "stepper_html",
]
