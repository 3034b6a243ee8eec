"""cresset.optim (torch.optim): optimizer classes over fused C++ updates, and LR schedulers."""
