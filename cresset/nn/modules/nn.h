#pragma once
// The nn part of the C++ frontend: modules, holders, layers, containers, losses, nn::functional,
// nn::init and nn::utils.
#include "cresset/nn/modules/activation.h"
#include "cresset/nn/modules/container.h"
#include "cresset/nn/modules/conv.h"
#include "cresset/nn/modules/dropout.h"
#include "cresset/nn/modules/embedding.h"
#include "cresset/nn/modules/functional.h"
#include "cresset/nn/modules/holder.h"
#include "cresset/nn/modules/init.h"
#include "cresset/nn/modules/linear.h"
#include "cresset/nn/modules/loss.h"
#include "cresset/nn/modules/module.h"
#include "cresset/nn/modules/normalization.h"
#include "cresset/nn/modules/pooling.h"
#include "cresset/nn/modules/rnn.h"
#include "cresset/nn/modules/utils.h"
