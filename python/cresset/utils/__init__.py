"""cresset.utils: utilities outside the tensor core (torch.utils)."""
