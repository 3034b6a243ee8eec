#include "cresset/autograd/post_accumulate_hooks.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cresset::autograd {

namespace {

struct Entry {
  std::weak_ptr<TensorImpl> leaf;  // tells a live leaf from a new one at a reused address
  std::vector<std::pair<int, PostAccumulateHook>> hooks;
};

std::mutex g_mutex;
std::unordered_map<const TensorImpl*, Entry> g_hooks;
std::atomic<bool> g_any{false};  // skips the lock on the common path: no hook anywhere
int g_next_id = 0;

}  // namespace

int add_post_accumulate_hook(const Tensor& leaf, PostAccumulateHook hook) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Entry& e = g_hooks[leaf.impl()];
  if (e.leaf.lock().get() != leaf.impl()) e = Entry{leaf.impl_ptr(), {}};
  e.hooks.emplace_back(++g_next_id, std::move(hook));
  g_any = true;
  return g_next_id;
}

void remove_post_accumulate_hook(const TensorImpl* leaf, int id) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_hooks.find(leaf);
  if (it == g_hooks.end()) return;
  auto& hooks = it->second.hooks;
  hooks.erase(std::remove_if(hooks.begin(), hooks.end(),
                             [id](const auto& h) { return h.first == id; }),
              hooks.end());
  if (hooks.empty()) g_hooks.erase(it);
  g_any = !g_hooks.empty();
}

void run_post_accumulate_hooks(const Tensor& leaf) {
  if (!g_any) return;
  std::vector<std::pair<int, PostAccumulateHook>> hooks;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_hooks.find(leaf.impl());
    if (it == g_hooks.end()) return;
    if (it->second.leaf.lock().get() != leaf.impl()) {  // a dead leaf's hooks
      g_hooks.erase(it);
      g_any = !g_hooks.empty();
      return;
    }
    hooks = it->second.hooks;  // a copy: a hook may remove itself
  }
  for (auto& [id, hook] : hooks) hook(leaf);
}

}  // namespace cresset::autograd
