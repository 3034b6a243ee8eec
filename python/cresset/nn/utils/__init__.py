"""cresset.nn.utils (torch.nn.utils)."""
