// Bindings of the random family: torch.Generator, the default generator and its module-level
// functions, random factories, distributions and the in-place samplers.
#include "cresset/backend/cuda/api.h"

#include "creation_args.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/random.h"

namespace cresset::py {

namespace {

// torch accepts seeds in [-2^63, 2^64); negative ones wrap to their two's complement.
uint64_t to_seed(nb::handle h) {
  nb::int_ v(h);
  uint64_t seed = PyLong_AsUnsignedLongLong(v.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    int64_t s = PyLong_AsLongLong(v.ptr());
    if (PyErr_Occurred()) {
      PyErr_Clear();
      throw ValueError("Overflow when unpacking long long");
    }
    seed = uint64_t(s);
  }
  return seed;
}

Tensor state_tensor(const Generator& g) {
  std::vector<uint8_t> bytes = g.get_state();
  Tensor t = empty_tensor({int64_t(bytes.size())}, DType::UInt8);
  std::copy(bytes.begin(), bytes.end(), t.data<uint8_t>());
  return t;
}

void set_state_from(Generator& g, nb::handle state) {
  Tensor* t = nullptr;
  CRESSET_CHECK(nb::try_cast<Tensor*>(state, t) && t && t->dtype() == DType::UInt8, TypeError,
                "RNG state must be a torch.ByteTensor");
  Tensor dense = empty_tensor(t->sizes(), DType::UInt8);
  copy_into(dense, *t);
  g.set_state(dense.data<uint8_t>(), size_t(dense.numel()));
}

// The samplers' optional `generator` keyword.
Generator* gen_arg(nb::handle h) {
  if (h.is_none()) return nullptr;
  Generator* g = nullptr;
  CRESSET_CHECK(nb::try_cast<Generator*>(h, g) && g, TypeError,
                "argument 'generator' must be torch.Generator, not ",
                nb::type_name(nb::handle((PyObject*)Py_TYPE(h.ptr()))).c_str());
  return g;
}

bool is_tensor(nb::handle h) { return nb::isinstance<Tensor>(h); }

// A float parameter that may be a Python number or a 0-dim tensor.
double double_arg(nb::handle h, const char* op, const char* name) {
  return scalar_arg(h, op, name).to_double();
}

// Tensor.random_ forms: (), (to), (from, to), with from= / to= keywords.
Tensor random_dispatch(const Tensor& self, nb::args args, nb::kwargs kw) {
  nb::object from = take_kwarg(kw, "from"), to_ = take_kwarg(kw, "to"),
             gen = take_kwarg(kw, "generator");
  CRESSET_CHECK(nb::len(kw) == 0, TypeError, "random_() got an unexpected keyword argument");
  size_t n = args.size();
  CRESSET_CHECK(n <= 2, TypeError, "random_() takes at most 2 positional arguments");
  if (n == 1 && !from.is_valid() && !to_.is_valid()) {
    to_ = nb::borrow(args[0]);
  } else {
    if (n >= 1) from = nb::borrow(args[0]);
    if (n == 2) to_ = nb::borrow(args[1]);
  }
  Generator* g = gen.is_valid() ? gen_arg(gen) : nullptr;
  bool has_to = to_.is_valid() && !to_.is_none();
  if (!from.is_valid() && !has_to) return random_(self, g);
  int64_t lo = from.is_valid() ? int_arg(from, "random_", "from") : 0;
  std::optional<int64_t> hi;
  if (has_to) hi = int_arg(to_, "random_", "to");
  return random_(self, lo, hi, g);
}

}  // namespace

void init_random(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  constexpr unsigned kFactory = FactoryOptions::kDType | FactoryOptions::kDevice |
                                FactoryOptions::kRequiresGrad | FactoryOptions::kLayout |
                                FactoryOptions::kPinMemory | FactoryOptions::kOut |
                                FactoryOptions::kGenerator;
  constexpr unsigned kLike = FactoryOptions::kDType | FactoryOptions::kDevice |
                             FactoryOptions::kRequiresGrad | FactoryOptions::kLayout |
                             FactoryOptions::kPinMemory | FactoryOptions::kMemoryFormat |
                             FactoryOptions::kGenerator;

  // ---- Generator ----
  nb::class_<Generator>(m, "Generator")
      .def(
          "__init__",
          [](Generator* self, nb::handle device) {
            Device d = to_device(device);
            if (d.is_cuda()) cuda::check_generator_device(d.index);
            new (self) Generator(d);
          },
          "device"_a = "cpu")
      .def_prop_ro("device", &Generator::device)
      .def(
          "manual_seed",
          [](nb::handle self, nb::handle seed) {
            nb::cast<Generator&>(self).set_seed(to_seed(seed));
            return nb::borrow(self);
          },
          "seed"_a)
      .def("seed", &Generator::seed_nondeterministic)
      .def("initial_seed", &Generator::initial_seed)
      .def("get_state", [](const Generator& g) { return state_tensor(g); })
      .def(
          "set_state",
          [](nb::handle self, nb::handle state) {
            set_state_from(nb::cast<Generator&>(self), state);
            return nb::borrow(self);
          },
          "new_state"_a);
  m.attr("default_generator") = nb::cast(&default_generator(), nb::rv_policy::reference);
  m.def(
      "manual_seed",
      [](nb::handle seed) {
        manual_seed(to_seed(seed));
        return nb::cast(&default_generator(), nb::rv_policy::reference);
      },
      "seed"_a);
  m.def("seed", [] { return default_generator().seed_nondeterministic(); });
  m.def("initial_seed", [] { return default_generator().initial_seed(); });
  m.def("get_rng_state", [] { return state_tensor(default_generator()); });
  m.def(
      "set_rng_state", [](nb::handle state) { set_state_from(default_generator(), state); },
      "new_state"_a);

  // ---- factories ----
  m.def("rand", [](nb::args args, nb::kwargs kw) {
    DimVector sizes = varargs_sizes(args, kw, "rand");
    FactoryOptions o("rand", kw, kFactory);
    return o.finish(uniform_(o.output(sizes, default_dtype()), 0, 1, o.generator));
  });
  m.def("randn", [](nb::args args, nb::kwargs kw) {
    DimVector sizes = varargs_sizes(args, kw, "randn");
    FactoryOptions o("randn", kw, kFactory);
    return o.finish(normal_(o.output(sizes, default_dtype()), 0, 1, o.generator));
  });
  m.def("randint", [](nb::args args, nb::kwargs kw) {
    nb::object low = take_kwarg(kw, "low"), high = take_kwarg(kw, "high"),
               size = take_kwarg(kw, "size");
    size_t n = args.size();
    CRESSET_CHECK(n <= 3, TypeError, "randint() takes at most 3 positional arguments");
    // Positional forms: (high, size) and (low, high, size); the last may come as size=.
    std::vector<nb::object> pos;
    for (nb::handle a : args) pos.push_back(nb::borrow(a));
    if (!size.is_valid() && !pos.empty()) {
      size = pos.back();
      pos.pop_back();
    }
    if (pos.size() == 2) {
      low = pos[0];
      high = pos[1];
    } else if (pos.size() == 1) {
      (high.is_valid() ? low : high) = pos[0];
    }
    CRESSET_CHECK(high.is_valid() && size.is_valid(), TypeError,
                  "randint() missing required arguments 'high' and 'size'");
    DimVector sizes = size_arg(size, "randint");
    FactoryOptions o("randint", kw, kFactory);
    Tensor out = o.output(sizes, DType::Int64);
    int64_t lo = low.is_valid() ? int_arg(low, "randint", "low") : 0;
    return o.finish(random_(out, lo, int_arg(high, "randint", "high"), o.generator));
  });
  m.def(
      "randperm",
      [](nb::handle n, nb::kwargs kw) {
        FactoryOptions o("randperm", kw, kFactory);
        return o.finish(
            randperm_out(int_arg(n, "randperm", "n"), o.output_1d(DType::Int64), o.generator));
      },
      "n"_a, "kwargs"_a);

  // ---- *_like ----
  m.def(
      "rand_like",
      [](const Tensor& self, nb::kwargs kw) {
        FactoryOptions o("rand_like", kw, kLike);
        return finish_like(uniform_(like_output(self, o), 0, 1, o.generator), o);
      },
      "input"_a, "kwargs"_a);
  m.def(
      "randn_like",
      [](const Tensor& self, nb::kwargs kw) {
        FactoryOptions o("randn_like", kw, kLike);
        return finish_like(normal_(like_output(self, o), 0, 1, o.generator), o);
      },
      "input"_a, "kwargs"_a);
  m.def(
      "randint_like",
      [](const Tensor& self, nb::args args, nb::kwargs kw) {
        nb::object low = take_kwarg(kw, "low"), high = take_kwarg(kw, "high");
        size_t n = args.size();
        CRESSET_CHECK(n <= 2, TypeError, "randint_like() takes at most 3 positional arguments");
        if (n == 2) {
          low = nb::borrow(args[0]);
          high = nb::borrow(args[1]);
        } else if (n == 1) {
          (high.is_valid() ? low : high) = nb::borrow(args[0]);
        }
        CRESSET_CHECK(high.is_valid(), TypeError,
                      "randint_like() missing required argument 'high'");
        FactoryOptions o("randint_like", kw, kLike);
        int64_t lo = low.is_valid() ? int_arg(low, "randint_like", "low") : 0;
        return finish_like(
            random_(like_output(self, o), lo, int_arg(high, "randint_like", "high"), o.generator),
            o);
      },
      "input"_a, "args"_a, "kwargs"_a);

  // ---- distributions ----
  m.def(
      "normal",
      [](nb::handle mean, nb::handle std, nb::handle size, nb::kwargs kw) {
        FactoryOptions o("normal", kw, kFactory);
        if (!is_tensor(mean) && !is_tensor(std)) {
          CRESSET_CHECK(!size.is_none(), TypeError,
                        "normal() received an invalid combination of arguments: (float mean, float "
                        "std) needs size");
          return o.finish(normal_(o.output(size_arg(size, "normal"), default_dtype()),
                                  double_arg(mean, "normal", "mean"),
                                  double_arg(std, "normal", "std"), o.generator));
        }
        CRESSET_CHECK(size.is_none(), TypeError,
                      "normal(): size is only accepted when mean and std are numbers");
        Tensor r =
            is_tensor(mean) && is_tensor(std)
                ? normal(nb::cast<Tensor>(mean), nb::cast<Tensor>(std), o.generator)
            : is_tensor(mean)
                ? normal(nb::cast<Tensor>(mean), double_arg(std, "normal", "std"), o.generator)
                : normal(double_arg(mean, "normal", "mean"), nb::cast<Tensor>(std), o.generator);
        if (o.out) {
          copy_into(factory_out(*o.out, r.sizes(), std::nullopt, "normal"), r);
          return o.out_object;
        }
        return nb::cast(r);
      },
      "mean"_a, "std"_a = 1.0, "size"_a = nb::none(), "kwargs"_a);
  m.def(
      "bernoulli",
      [](const Tensor& input, nb::handle p, nb::kwargs kw) {
        FactoryOptions o("bernoulli", kw, FactoryOptions::kGenerator | FactoryOptions::kOut);
        Tensor r = p.is_none() ? bernoulli(input, o.generator)
                               : bernoulli(input, double_arg(p, "bernoulli", "p"), o.generator);
        if (o.out) {
          copy_into(factory_out(*o.out, r.sizes(), std::nullopt, "bernoulli"), r);
          return o.out_object;
        }
        return nb::cast(r);
      },
      "input"_a, "p"_a = nb::none(), "kwargs"_a);
  cls.def(
      "bernoulli",
      [](const Tensor& self, nb::handle p, nb::handle gen) {
        return p.is_none() ? bernoulli(self, gen_arg(gen))
                           : bernoulli(self, double_arg(p, "bernoulli", "p"), gen_arg(gen));
      },
      "p"_a = nb::none(), nb::kw_only(), "generator"_a = nb::none());
  auto multinomial_fn = [](const Tensor& self, int64_t num_samples, bool replacement,
                           nb::handle gen) {
    return multinomial(self, num_samples, replacement, gen_arg(gen));
  };
  m.def(
      "multinomial",
      [multinomial_fn](const Tensor& self, int64_t num_samples, bool replacement, nb::handle gen,
                       nb::handle out) -> nb::object {
        if (out.is_none()) return nb::cast(multinomial_fn(self, num_samples, replacement, gen));
        multinomial_out(self, num_samples, replacement, gen_arg(gen), nb::cast<const Tensor&>(out));
        return nb::borrow(out);
      },
      "input"_a, "num_samples"_a, "replacement"_a = false, nb::kw_only(),
      "generator"_a = nb::none(), "out"_a = nb::none());
  cls.def("multinomial", multinomial_fn, "num_samples"_a, "replacement"_a = false, nb::kw_only(),
          "generator"_a = nb::none());
  m.def(
      "poisson", [](const Tensor& self, nb::handle gen) { return poisson(self, gen_arg(gen)); },
      "input"_a, "generator"_a = nb::none());
  m.def(
      "_standard_gamma",
      [](const Tensor& self, nb::handle gen) { return standard_gamma(self, gen_arg(gen)); },
      "input"_a, "generator"_a = nb::none());
  m.def("_standard_gamma_grad", &standard_gamma_grad, "input"_a, "output"_a);
  m.def(
      "_sample_dirichlet",
      [](const Tensor& self, nb::handle gen) { return sample_dirichlet(self, gen_arg(gen)); },
      "input"_a, "generator"_a = nb::none());
  m.def("_dirichlet_grad", &dirichlet_grad, "x"_a, "alpha"_a, "total"_a);
  m.def(
      "binomial",
      [](const Tensor& count, const Tensor& prob, nb::handle gen) {
        return binomial(count, prob, gen_arg(gen));
      },
      "count"_a, "prob"_a, "generator"_a = nb::none());

  // ---- in-place samplers ----
  cls.def("uniform_",
          returns_self([](const Tensor& self, nb::handle from, nb::handle to, nb::handle gen) {
            return uniform_(self, double_arg(from, "uniform_", "from"),
                            double_arg(to, "uniform_", "to"), gen_arg(gen));
          }),
          "from"_a = 0.0, "to"_a = 1.0, nb::kw_only(), "generator"_a = nb::none());
  cls.def("normal_",
          returns_self([](const Tensor& self, nb::handle mean, nb::handle std, nb::handle gen) {
            return normal_(self, double_arg(mean, "normal_", "mean"),
                           double_arg(std, "normal_", "std"), gen_arg(gen));
          }),
          "mean"_a = 0.0, "std"_a = 1.0, nb::kw_only(), "generator"_a = nb::none());
  cls.def("random_", returns_self([](const Tensor& self, nb::args args, nb::kwargs kw) {
            return random_dispatch(self, args, kw);
          }),
          "args"_a, "kwargs"_a);
  cls.def("bernoulli_", returns_self([](const Tensor& self, nb::handle p, nb::handle gen) {
            if (is_tensor(p)) return bernoulli_(self, nb::cast<Tensor>(p), gen_arg(gen));
            return bernoulli_(self, double_arg(p, "bernoulli_", "p"), gen_arg(gen));
          }),
          "p"_a = 0.5, nb::kw_only(), "generator"_a = nb::none());
  cls.def("exponential_", returns_self([](const Tensor& self, nb::handle lambd, nb::handle gen) {
            return exponential_(self, double_arg(lambd, "exponential_", "lambd"), gen_arg(gen));
          }),
          "lambd"_a = 1.0, nb::kw_only(), "generator"_a = nb::none());
  cls.def("geometric_", returns_self([](const Tensor& self, nb::handle p, nb::handle gen) {
            return geometric_(self, double_arg(p, "geometric_", "p"), gen_arg(gen));
          }),
          "p"_a, nb::kw_only(), "generator"_a = nb::none());
  cls.def("log_normal_",
          returns_self([](const Tensor& self, nb::handle mean, nb::handle std, nb::handle gen) {
            return log_normal_(self, double_arg(mean, "log_normal_", "mean"),
                               double_arg(std, "log_normal_", "std"), gen_arg(gen));
          }),
          "mean"_a = 1.0, "std"_a = 2.0, nb::kw_only(), "generator"_a = nb::none());
  cls.def("cauchy_",
          returns_self([](const Tensor& self, nb::handle median, nb::handle sigma, nb::handle gen) {
            return cauchy_(self, double_arg(median, "cauchy_", "median"),
                           double_arg(sigma, "cauchy_", "sigma"), gen_arg(gen));
          }),
          "median"_a = 0.0, "sigma"_a = 1.0, nb::kw_only(), "generator"_a = nb::none());
}

}  // namespace cresset::py
