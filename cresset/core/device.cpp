#include "cresset/core/device.h"

#include "cresset/core/error.h"

namespace cresset {

Device::Device(const std::string& spec) {
  auto colon = spec.find(':');
  std::string kind = spec.substr(0, colon);
  if (kind == "cpu") {
    type = DeviceType::CPU;
  } else if (kind == "cuda") {
    type = DeviceType::CUDA;
  } else {
    throw RuntimeError(str_cat(
        "Expected one of cpu, cuda device type at start of device string: ", spec));
  }
  if (colon != std::string::npos) {
    std::string num = spec.substr(colon + 1);
    bool ok = !num.empty() && num.size() < 4 &&
              num.find_first_not_of("0123456789") == std::string::npos;
    CRESSET_CHECK(ok, RuntimeError, "Invalid device string: '", spec, "'");
    index = int8_t(std::stoi(num));
  }
}

std::string Device::str() const {
  std::string s = is_cpu() ? "cpu" : "cuda";
  if (index >= 0) s += ":" + std::to_string(index);
  return s;
}

}  // namespace cresset
