"""cresset.nn.utils (torch.nn.utils)."""
from cresset.nn.utils import parametrizations, parametrize, rnn, stateless  # noqa: F401
from cresset.nn.utils.clip_grad import (  # noqa: F401
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from cresset.nn.utils.convert_parameters import (  # noqa: F401
    parameters_to_vector,
    vector_to_parameters,
)
from cresset.nn.utils.fusion import (  # noqa: F401
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from cresset.nn.utils.init import skip_init  # noqa: F401
from cresset.nn.utils.spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
from cresset.nn.utils.weight_norm import remove_weight_norm, weight_norm  # noqa: F401
