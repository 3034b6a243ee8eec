#include "cresset/core/default_device.h"

namespace cresset {

namespace {
Device g_default_device;
}  // namespace

Device default_device() { return g_default_device; }
void set_default_device(Device device) { g_default_device = device; }

}  // namespace cresset
