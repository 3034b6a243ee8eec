"""Spectral normalization (torch.nn.utils.spectral_norm): weight / sigma, sigma the largest
singular value of the weight (as a matrix over its `dim` and the rest), estimated by power
iteration with vectors kept in buffers `name`_u and `name`_v."""
import cresset
from cresset.nn.functional import normalize
from cresset.nn.parameter import Parameter
from cresset.nn.utils._named_hooks import check_not_registered, remove_named_hook

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm"]


def weight_as_matrix(weight, dim):
    """The weight as a matrix whose rows are its slices along `dim`."""
    if dim != 0:
        weight = weight.permute(dim, *[d for d in range(weight.dim()) if d != dim])
    return weight.reshape(weight.size(0), -1)


def default_dim(module):
    """1 for transposed convolutions (their output channels are dim 1), else 0."""
    from cresset.nn import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0


class SpectralNorm:
    """The forward pre-hook that sets `name` = `name`_orig / sigma, running the power iteration
    in training mode."""

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name, self.dim, self.eps = name, dim, eps
        self.n_power_iterations = n_power_iterations

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        matrix = weight_as_matrix(weight, self.dim)
        if do_power_iteration:
            with cresset.no_grad():
                for _ in range(self.n_power_iterations):
                    # In place, so the buffers (and DataParallel replicas' views) see the update.
                    v = normalize(cresset.mv(matrix.t(), u), dim=0, eps=self.eps, out=v)
                    u = normalize(cresset.mv(matrix, v), dim=0, eps=self.eps, out=u)
            # Clones keep the autograd graph valid when the buffers change in the next call.
            u = u.clone()
            v = v.clone()
        sigma = cresset.dot(u, cresset.mv(matrix, v))
        return weight / sigma

    def remove(self, module):
        with cresset.no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        check_not_registered(module, SpectralNorm, name, "spectral_norm")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        with cresset.no_grad():
            h, w = weight_as_matrix(weight, dim).shape
            u = normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=eps)
            v = normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=eps)
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, weight.data)
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Rescales parameter `name` by its spectral norm before every forward."""
    SpectralNorm.apply(module, name, n_power_iterations, default_dim(module) if dim is None
                       else dim, eps)
    return module


def remove_spectral_norm(module, name="weight"):
    """Replaces the spectrally normalized `name` by a plain parameter of its current value."""
    return remove_named_hook(module, SpectralNorm, name, "spectral_norm")
