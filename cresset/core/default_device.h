#pragma once
// The device factories use when given none (torch.set_default_device).
#include "cresset/core/device.h"

namespace cresset {

/// The default device: the CPU unless set_default_device changed it.
Device default_device();
/// Makes `device` the default device of factories.
void set_default_device(Device device);

}  // namespace cresset
