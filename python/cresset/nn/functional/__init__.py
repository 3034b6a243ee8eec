"""cresset.nn.functional (torch.nn.functional): thin wrappers over the C++ functional ops, one
file per family."""
from cresset.nn.functional._linear import *  # noqa: F401,F403
from cresset.nn.functional._activation import *  # noqa: F401,F403
from cresset.nn.functional._dropout import *  # noqa: F401,F403
from cresset.nn.functional._sparse import *  # noqa: F401,F403
from cresset.nn.functional._distance import *  # noqa: F401,F403
from cresset.nn.functional._conv import *  # noqa: F401,F403
from cresset.nn.functional._pool import *  # noqa: F401,F403
from cresset.nn.functional._norm import *  # noqa: F401,F403
from cresset.nn.functional._loss import *  # noqa: F401,F403
from cresset.nn.functional._attention import *  # noqa: F401,F403
