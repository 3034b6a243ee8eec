#include "cresset/core/warning.h"

#include <atomic>
#include <cstdio>

namespace cresset {

namespace {

void print_warning(const std::string& message) {
  std::fprintf(stderr, "Warning: %s\n", message.c_str());
}

std::atomic<WarningHandler> g_handler{&print_warning};
std::atomic<bool> g_warn_always{false};

}  // namespace

void warn(const std::string& message) { g_handler.load()(message); }

void set_warning_handler(WarningHandler handler) {
  g_handler.store(handler ? handler : &print_warning);
}

void set_warn_always(bool enabled) { g_warn_always.store(enabled); }

bool is_warn_always_enabled() { return g_warn_always.load(); }

}  // namespace cresset
