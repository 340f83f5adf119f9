"""Drawing graphs and stepping through backprop."""
