"""cresset.nn: modules, parameters, functional ops and initialisation (torch.nn)."""
from cresset.nn.parameter import *  # noqa: F401,F403
from cresset.nn.modules import *  # noqa: F401,F403
from cresset.nn import functional, init, utils  # noqa: F401
