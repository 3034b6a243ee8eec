"""torch.random: the default CPU generator's seed and state, and fork_rng."""
import contextlib

from cresset._C import (  # noqa: F401  (re-exported, as torch.random does)
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type=None):
    """Runs the block with the default generators' states restored afterwards. Without CUDA only
    the CPU generator exists, so `devices` and `device_type` have nothing to select."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
