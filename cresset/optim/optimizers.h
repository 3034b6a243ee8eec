#pragma once
// The optim part of the C++ frontend: Optimizer, SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta,
// StepLR.
#include "cresset/optim/adadelta.h"
#include "cresset/optim/adagrad.h"
#include "cresset/optim/adam.h"
#include "cresset/optim/lr_scheduler.h"
#include "cresset/optim/optimizer.h"
#include "cresset/optim/rmsprop.h"
#include "cresset/optim/sgd.h"
