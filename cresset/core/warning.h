#pragma once
// Warnings raised by C++ code (torch's TORCH_WARN): handed to one process-wide handler. The
// default handler prints to stderr; the Python module installs one that issues a UserWarning.
#include <string>

namespace cresset {

/// Receives each warning's message; may throw (Python turns warnings into errors with -W error).
using WarningHandler = void (*)(const std::string& message);

/// Reports `message` to the current handler.
void warn(const std::string& message);
/// Replaces the handler (nullptr restores the stderr one).
void set_warning_handler(WarningHandler handler);

/// torch.set_warn_always: warnings torch gives once per process (TORCH_WARN_ONCE) are given every
/// time while this is on.
void set_warn_always(bool enabled);
/// torch.is_warn_always_enabled.
bool is_warn_always_enabled();

}  // namespace cresset
