#pragma once
// cresset::data: datasets, transforms, samplers and the data loader (libtorch's torch::data).
#include "cresset/data/data_loader.h"
#include "cresset/data/datasets.h"
#include "cresset/data/example.h"
#include "cresset/data/mnist.h"
#include "cresset/data/samplers.h"
#include "cresset/data/tensor_dataset.h"
#include "cresset/data/transforms.h"
