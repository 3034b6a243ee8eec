// Bindings of autograd: Tensor.grad/grad_fn/backward/register_hook..., grad modes, the engine
// entry points, graph nodes, and PyNode (the node behind a Python autograd.Function).
#include <nanobind/stl/function.h>
#include <nanobind/stl/shared_ptr.h>

#include "bind.h"
#include "cresset/autograd/accumulate_grad.h"
#include "cresset/autograd/engine.h"
#include "cresset/autograd/function.h"
#include "cresset/autograd/retain_grad.h"
#include "cresset/core/error.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/view.h"

namespace cresset::py {

namespace ag = cresset::autograd;

namespace {

// The node of a Python autograd.Function: apply() calls the Python-side `_backward(ctx, grads)`
// with the GIL held. The ctx object holds what forward saved.
class PyNode final : public ag::Node {
 public:
  PyNode(std::string name, nb::object ctx, nb::object backward)
      : name_(std::move(name)), ctx_(std::move(ctx)), backward_(std::move(backward)) {}
  ~PyNode() override {
    nb::gil_scoped_acquire gil;
    ctx_.reset();
    backward_.reset();
  }
  std::string name() const override { return name_; }
  ag::TensorList apply(ag::TensorList&& grads) override {
    nb::gil_scoped_acquire gil;
    nb::list py_grads;
    for (const Tensor& g : grads) py_grads.append(g.defined() ? nb::cast(g) : nb::none());
    nb::object result = backward_(ctx_, py_grads);
    ag::TensorList out;
    for (nb::handle h : result) out.push_back(h.is_none() ? Tensor() : nb::cast<Tensor>(h));
    return out;
  }
  void release_saved() override {
    nb::gil_scoped_acquire gil;
    if (ctx_.is_valid() && nb::hasattr(ctx_, "_release")) ctx_.attr("_release")();
    mark_released();
  }

 private:
  std::string name_;
  nb::object ctx_;
  nb::object backward_;
};

// A removable handle for a hook (RemovableHandle.remove()).
struct HookHandle {
  std::function<void()> remover;
  void remove() {
    if (remover) remover();
    remover = nullptr;
  }
};

// Removes the hook with handle id `id` from a list of (id, hook) pairs.
template <class Hooks>
void erase_hook(Hooks& hooks, int id) {
  hooks.erase(std::remove_if(hooks.begin(), hooks.end(),
                             [id](const auto& h) { return h.first == id; }),
              hooks.end());
}

ag::TensorList to_tensor_list(nb::handle seq) {
  ag::TensorList out;
  if (seq.is_none()) return out;
  if (nb::isinstance<Tensor>(seq)) {
    out.push_back(nb::cast<Tensor>(seq));
    return out;
  }
  for (nb::handle h : seq) out.push_back(h.is_none() ? Tensor() : nb::cast<Tensor>(h));
  return out;
}

std::string python_stack() {
  nb::gil_scoped_acquire gil;
  nb::object tb = nb::module_::import_("traceback");
  nb::object lines = tb.attr("format_stack")();
  std::string s;
  for (nb::handle l : lines) s += nb::cast<std::string>(l);
  return s;
}

nb::object tensor_grad(const Tensor& t) {
  ag::AutogradMeta* m = ag::meta(t);
  if (!m || !m->grad.defined()) return nb::none();
  return nb::cast(m->grad);
}

void set_tensor_grad(const Tensor& t, nb::handle g) {
  if (g.is_none()) {
    if (ag::AutogradMeta* m = ag::meta(t)) m->grad = Tensor();
    return;
  }
  Tensor grad = nb::cast<Tensor>(g);
  CRESSET_CHECK(grad.sizes() == t.sizes(), RuntimeError,
                "assigned grad has data of a different size");
  CRESSET_CHECK(grad.dtype() == t.dtype(), RuntimeError,
                "assigned grad has data of a different type");
  CRESSET_CHECK(grad.device() == t.device(), RuntimeError,
                "assigned grad has data located on a different device");
  ag::ensure_meta(t).grad = grad;
}

HookHandle register_tensor_hook(const Tensor& t, nb::object fn) {
  CRESSET_CHECK(t.requires_grad(), RuntimeError,
                "cannot register a hook on a tensor that doesn't require gradient");
  auto call = [fn](const Tensor& grad) -> Tensor {
    nb::gil_scoped_acquire gil;
    nb::object r = fn(grad);
    return r.is_none() ? Tensor() : nb::cast<Tensor>(r);
  };
  int id = ag::next_hook_id();
  if (ag::is_leaf(t)) {
    ag::AutogradMeta& m = ag::ensure_meta(t);
    m.hooks.emplace_back(id, call);
    std::weak_ptr<TensorImpl> weak = t.impl_ptr();
    return {[weak, id] {
      if (auto impl = weak.lock()) erase_hook(ag::meta(Tensor(impl))->hooks, id);
    }};
  }
  std::shared_ptr<ag::Node> node = ag::grad_fn(t);
  uint32_t nr = ag::meta(t)->output_nr;
  node->pre_hooks().emplace_back(id, [call, nr](const ag::TensorList& grads) {
    ag::TensorList out = grads;
    if (nr < out.size() && out[nr].defined()) {
      Tensor r = call(out[nr]);
      if (r.defined()) out[nr] = r;
    }
    return out;
  });
  std::weak_ptr<ag::Node> weak = node;
  return {[weak, id] {
    if (auto n = weak.lock()) erase_hook(n->pre_hooks(), id);
  }};
}

// Tensor.register_post_accumulate_grad_hook: fn(leaf) runs after the leaf's .grad is accumulated.
HookHandle register_post_accumulate_hook(const Tensor& t, nb::object fn) {
  CRESSET_CHECK(t.requires_grad(), RuntimeError,
                "cannot register a hook on a tensor that doesn't require gradient");
  CRESSET_CHECK(ag::is_leaf(t), RuntimeError,
                "post accumulate grad hooks cannot be registered on non-leaf tensors");
  int id = ag::next_hook_id();
  ag::ensure_meta(t).post_accumulate_hooks.emplace_back(id, [fn](const Tensor& leaf) {
    nb::gil_scoped_acquire gil;
    nb::object r = fn(leaf);
    CRESSET_CHECK(r.is_none(), RuntimeError,
                  "Tensor post accumulate grad hooks should return None.");
  });
  std::weak_ptr<TensorImpl> weak = t.impl_ptr();
  return {[weak, id] {
    if (auto impl = weak.lock()) erase_hook(ag::meta(Tensor(impl))->post_accumulate_hooks, id);
  }};
}

}  // namespace

void init_autograd(nb::module_& m) {
  ag::set_forward_trace_provider(&python_stack);
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));

  nb::class_<HookHandle>(m, "_HookHandle").def("remove", &HookHandle::remove);

  nb::class_<ag::Node>(m, "Node")
      .def("name", &ag::Node::name)
      .def_prop_ro("next_functions", [](const ag::Node& n) {
        nb::list l;
        for (const ag::Edge& e : n.next_edges()) {
          l.append(nb::make_tuple(e.fn ? nb::cast(e.fn) : nb::none(), e.input_nr));
        }
        return nb::tuple(l);
      })
      .def_prop_ro("variable", [](ag::Node& n) -> nb::object {
        auto* acc = dynamic_cast<ag::AccumulateGrad*>(&n);
        if (!acc) throw nb::attribute_error(("'" + n.name() + "' object has no attribute 'variable'").c_str());
        Tensor v = acc->variable();
        return v.defined() ? nb::cast(v) : nb::none();
      })
      .def("register_hook", [](ag::Node& n, nb::object fn) {
        ag::stop_keeping_accumulator(n);
        int id = ag::next_hook_id();
        n.post_hooks().emplace_back(id, [fn](const ag::TensorList& grad_inputs,
                                             const ag::TensorList& grad_outputs) {
          nb::gil_scoped_acquire gil;
          auto to_tuple = [](const ag::TensorList& l) {
            nb::list out;
            for (const Tensor& t : l) out.append(t.defined() ? nb::cast(t) : nb::none());
            return nb::tuple(out);
          };
          nb::object r = fn(to_tuple(grad_inputs), to_tuple(grad_outputs));
          return r.is_none() ? ag::TensorList() : to_tensor_list(r);
        });
        std::weak_ptr<ag::Node> weak = n.shared_from_this();
        return HookHandle{[weak, id] {
          if (auto node = weak.lock()) erase_hook(node->post_hooks(), id);
        }};
      }, "fn"_a)
      .def("register_prehook", [](ag::Node& n, nb::object fn) {
        ag::stop_keeping_accumulator(n);
        int id = ag::next_hook_id();
        n.pre_hooks().emplace_back(id, [fn](const ag::TensorList& grads) {
          nb::gil_scoped_acquire gil;
          nb::list l;
          for (const Tensor& t : grads) l.append(t.defined() ? nb::cast(t) : nb::none());
          nb::object r = fn(nb::tuple(l));
          return r.is_none() ? ag::TensorList() : to_tensor_list(r);
        });
        std::weak_ptr<ag::Node> weak = n.shared_from_this();
        return HookHandle{[weak, id] {
          if (auto node = weak.lock()) erase_hook(node->pre_hooks(), id);
        }};
      }, "fn"_a)
      .def("__repr__", [](nb::handle self) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%p", static_cast<void*>(self.ptr()));
        // torch prints C++-defined nodes without their namespace: <CopySlices object at ...>.
        std::string name = nb::cast<ag::Node&>(self).name();
        std::string_view prefix = "torch::autograd::";
        if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
        return "<" + name + " object at " + buf + ">";
      });

  nb::class_<PyNode, ag::Node>(m, "_PyNode");
  m.def("_make_py_node", [](const std::string& name, nb::object ctx, nb::object backward,
                            nb::handle inputs, nb::handle outputs) {
    auto node = ag::make_node<PyNode>(name, ctx, backward);
    for (const Tensor& in : to_tensor_list(inputs)) {
      node->mutable_next_edges().push_back(in.defined() && in.requires_grad()
                                               ? ag::gradient_edge(in) : ag::Edge());
    }
    for (const Tensor& out : to_tensor_list(outputs)) ag::set_history(out, node);
    return std::static_pointer_cast<ag::Node>(node);
  });
  m.def("_attach_grad_fn", [](const Tensor& t, std::shared_ptr<ag::Node> node, uint32_t nr) {
    Tensor out = detach(t);
    ag::AutogradMeta& meta = ag::ensure_meta(out);
    meta.grad_fn = std::move(node);
    meta.output_nr = nr;
    out.impl()->set_requires_grad(true);
    return out;
  });

  cls.def_prop_rw("requires_grad", &Tensor::requires_grad, &ag::set_requires_grad);
  cls.def("requires_grad_", [](const Tensor& t, bool r) {
    ag::set_requires_grad(t, r);
    return t;
  }, "requires_grad"_a = true);
  cls.def_prop_rw("grad", &tensor_grad, &set_tensor_grad, nb::arg("grad").none());
  cls.def_prop_ro("grad_fn", [](const Tensor& t) -> nb::object {
    std::shared_ptr<ag::Node> fn = ag::grad_fn(t);
    return fn ? nb::cast(fn) : nb::none();
  });
  cls.def_prop_ro("is_leaf", [](const Tensor& t) { return ag::is_leaf(t); });
  cls.def_prop_ro("retains_grad", [](const Tensor& t) {
    ag::AutogradMeta* m = ag::meta(t);
    return m && m->retains_grad;
  });
  cls.def_prop_ro("output_nr", [](const Tensor& t) {
    ag::AutogradMeta* m = ag::meta(t);
    return m ? m->output_nr : 0u;
  });
  cls.def("retain_grad", &ag::retain_grad);
  cls.def("register_hook", &register_tensor_hook, "hook"_a);
  cls.def("register_post_accumulate_grad_hook", &register_post_accumulate_hook, "hook"_a);
  cls.def_prop_rw("data", [](const Tensor& t) { return detach(t); },
                  [](const Tensor& t, const Tensor& src) {
                    // torch swaps storage, layout and dtype, keeping the autograd identity.
                    CRESSET_CHECK(!t.requires_grad() || is_floating(src.dtype()), RuntimeError,
                                  "data set to a tensor that requires gradients must be floating "
                                  "point or complex dtype");
                    t.impl()->set_storage(src.impl()->storage());
                    t.impl()->set_dtype(src.dtype());
                    t.impl()->set_layout(src.sizes(), src.strides(), src.storage_offset());
                  });

  m.def("_run_backward", [](nb::handle tensors, nb::handle grads, bool retain_graph,
                            bool create_graph, nb::handle inputs) {
    ag::TensorList roots = to_tensor_list(tensors);
    ag::TensorList g = to_tensor_list(grads);
    ag::TensorList in = to_tensor_list(inputs);
    nb::gil_scoped_release release;
    ag::backward(roots, g, retain_graph, create_graph, in);
  });
  m.def("_run_grad", [](nb::handle outputs, nb::handle inputs, nb::handle grad_outputs,
                        bool retain_graph, bool create_graph, bool allow_unused) {
    ag::TensorList outs = to_tensor_list(outputs), ins = to_tensor_list(inputs),
                   gouts = to_tensor_list(grad_outputs);
    ag::TensorList r;
    {
      nb::gil_scoped_release release;
      r = ag::grad(outs, ins, gouts, retain_graph, create_graph, allow_unused);
    }
    nb::list l;
    for (const Tensor& t : r) l.append(t.defined() ? nb::cast(t) : nb::none());
    return nb::tuple(l);
  });
  m.def("is_grad_enabled", &ag::GradMode::is_enabled);
  m.def("_set_grad_enabled", &ag::GradMode::set_enabled, "mode"_a);
  m.def("is_inference_mode_enabled", &ag::InferenceMode::is_enabled);
  m.def("_set_inference_mode", [](bool on) {
    ag::InferenceMode::set_enabled(on);
  }, "mode"_a);
  m.def("is_anomaly_enabled", &ag::AnomalyMode::is_enabled);
  m.def("_set_anomaly_enabled", &ag::AnomalyMode::set_enabled, "mode"_a);
}

}  // namespace cresset::py
