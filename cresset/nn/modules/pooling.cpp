#include "cresset/nn/modules/pooling.h"

namespace cresset::nn {

void MaxPool2dImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
         << ", padding=" << options.padding() << ", dilation=" << options.dilation()
         << ", ceil_mode=" << std::boolalpha << options.ceil_mode() << ")";
}

void AvgPool2dImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
         << ", padding=" << options.padding() << ")";
}

void AdaptiveAvgPool2dImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(output_size=" << output_size << ")";
}

}  // namespace cresset::nn
