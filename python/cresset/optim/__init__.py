"""cresset.optim (torch.optim): optimizer classes over fused C++ updates, and LR schedulers."""
from cresset.optim import lr_scheduler, swa_utils
from cresset.optim.adadelta import Adadelta
from cresset.optim.adagrad import Adagrad
from cresset.optim.adam import Adam
from cresset.optim.adamax import Adamax
from cresset.optim.adamw import AdamW
from cresset.optim.asgd import ASGD
from cresset.optim.lbfgs import LBFGS
from cresset.optim.nadam import NAdam
from cresset.optim.optimizer import Optimizer
from cresset.optim.radam import RAdam
from cresset.optim.rmsprop import RMSprop
from cresset.optim.rprop import Rprop
from cresset.optim.sgd import SGD

__all__ = [
           "ASGD",
           "LBFGS",
           "SGD",
           "Adadelta",
           "Adagrad",
           "Adam",
           "AdamW",
           "Adamax",
           "NAdam",
           "Optimizer",
           "RAdam",
           "RMSprop",
           "Rprop",
           "lr_scheduler",
           "swa_utils",
]
