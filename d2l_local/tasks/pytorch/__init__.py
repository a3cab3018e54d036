"""Tasks of the PyTorch edition's notebooks (notebooks/pytorch/)."""
