"""cresset.distributions (torch.distributions): parameterized distributions, sampling and KL."""
from cresset.distributions import constraints, transforms
from cresset.distributions.bernoulli import Bernoulli
from cresset.distributions.beta import Beta
from cresset.distributions.binomial import Binomial
from cresset.distributions.categorical import Categorical
from cresset.distributions.cauchy import Cauchy
from cresset.distributions.chi2 import Chi2
from cresset.distributions.dirichlet import Dirichlet
from cresset.distributions.distribution import Distribution
from cresset.distributions.exp_family import ExponentialFamily
from cresset.distributions.exponential import Exponential
from cresset.distributions.gamma import Gamma
from cresset.distributions.geometric import Geometric
from cresset.distributions.gumbel import Gumbel
from cresset.distributions.independent import Independent
from cresset.distributions.kl import kl_divergence, register_kl
from cresset.distributions.laplace import Laplace
from cresset.distributions.log_normal import LogNormal
from cresset.distributions.multivariate_normal import MultivariateNormal
from cresset.distributions.normal import Normal
from cresset.distributions.one_hot_categorical import OneHotCategorical
from cresset.distributions.poisson import Poisson
from cresset.distributions.studentT import StudentT
from cresset.distributions.transformed_distribution import TransformedDistribution
from cresset.distributions.uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "Dirichlet", "Distribution",
    "Exponential", "ExponentialFamily", "Gamma", "Geometric", "Gumbel", "Independent", "Laplace",
    "LogNormal", "MultivariateNormal", "Normal", "OneHotCategorical", "Poisson", "StudentT",
    "TransformedDistribution", "Uniform", "constraints", "kl_divergence", "register_kl",
    "transforms",
]
