// PyTorch's classic MNIST example with cresset's C++ frontend: the CNN of examples/mnist.py
// trained for one epoch with Adam (lr 1e-3, batch 64), then evaluated on the test split and
// saved with cresset::save in the format Python's cresset.load reads.
//
//   mnist [--data-dir DIR] [--max-steps N] [--threads N] [--seed S] [--save PATH]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include <cresset/cresset.h>

namespace nn = cresset::nn;
namespace F = cresset::nn::functional;
namespace data = cresset::data;

// conv(1,32,3) relu conv(32,64,3) relu max_pool2 dropout(0.25) flatten fc(9216,128) relu
// dropout(0.5) fc(128,10) log_softmax. Members register in declaration order, so the state dict
// keys and their order are those of the Python Net.
struct NetImpl : nn::Module {
  NetImpl()
      : conv1(register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 32, 3)))),
        conv2(register_module("conv2", nn::Conv2d(nn::Conv2dOptions(32, 64, 3)))),
        dropout1(register_module("dropout1", nn::Dropout(0.25))),
        dropout2(register_module("dropout2", nn::Dropout(0.5))),
        fc1(register_module("fc1", nn::Linear(9216, 128))),
        fc2(register_module("fc2", nn::Linear(128, 10))) {}

  cresset::Tensor forward(cresset::Tensor x) {
    x = F::relu(conv1(x));
    x = F::relu(conv2(x));
    x = dropout1(F::max_pool2d(x, F::MaxPool2dFuncOptions(2)));
    x = F::relu(fc1(x.flatten(1)));
    x = fc2(dropout2(x));
    return F::log_softmax(x, 1);
  }

  nn::Conv2d conv1, conv2;
  nn::Dropout dropout1, dropout2;
  nn::Linear fc1, fc2;
};
CRESSET_MODULE(Net);

struct Args {
  std::string data_dir = MNIST_DEFAULT_DATA_DIR;
  std::string save = "mnist_cnn.cresset";
  long max_steps = 0;  // 0: the whole epoch
  int threads = 0;     // 0: cresset's default
  long seed = 1;
};

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--data-dir DIR] [--max-steps N] [--threads N] [--seed S] "
                   "[--save PATH]\n", argv[0]);
      std::exit(2);
    }
    const char* value = argv[++i];
    if (flag == "--data-dir") args.data_dir = value;
    else if (flag == "--save") args.save = value;
    else if (flag == "--max-steps") args.max_steps = std::atol(value);
    else if (flag == "--threads") args.threads = std::atoi(value);
    else if (flag == "--seed") args.seed = std::atol(value);
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      std::exit(2);
    }
  }
  return args;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU time of the calling thread: with --threads 1 a step's own work, which a busy machine
// inflates much less than wall time.
double thread_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Trains, evaluates and saves; cresset reports bad input (a missing MNIST file ...) by throwing.
void run(const Args& args) {
  if (args.threads > 0) cresset::set_num_threads(args.threads);
  cresset::manual_seed(uint64_t(args.seed));

  using data::datasets::MNIST;
  auto train_set = MNIST(args.data_dir, MNIST::Mode::kTrain)
                       .map(data::transforms::Normalize<>(0.1307, 0.3081))
                       .map(data::transforms::Stack<>());
  const size_t train_size = *train_set.size();
  auto train_loader = data::make_data_loader(
      std::move(train_set), data::DataLoaderOptions().batch_size(64).workers(2));

  Net model;
  cresset::optim::Adam optimizer(model->parameters(), cresset::optim::AdamOptions(1e-3));

  model->train();
  std::vector<double> step_times, step_cpu_times;
  const auto epoch_start = std::chrono::steady_clock::now();
  for (auto& batch : *train_loader) {
    if (args.max_steps && long(step_times.size()) >= args.max_steps) break;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    optimizer.zero_grad();
    cresset::Tensor loss = F::nll_loss(model(batch.data), batch.target);
    loss.backward();
    optimizer.step();
    step_times.push_back(seconds_since(start));
    step_cpu_times.push_back(thread_cpu_seconds() - cpu_start);
    if (step_times.size() % 100 == 1) {
      std::printf("step %4zu  loss %.4f  [%zu/%zu]\n", step_times.size() - 1,
                  loss.item<float>(), step_times.size() * 64, train_size);
      std::fflush(stdout);
    }
  }
  const double epoch_time = seconds_since(epoch_start);

  model->eval();
  cresset::NoGradGuard no_grad;
  auto test_loader = data::make_data_loader<data::samplers::SequentialSampler>(
      MNIST(args.data_dir, MNIST::Mode::kTest)
          .map(data::transforms::Normalize<>(0.1307, 0.3081))
          .map(data::transforms::Stack<>()),
      1000);
  int64_t correct = 0, total = 0;
  for (auto& batch : *test_loader) {
    cresset::Tensor prediction = model(batch.data).argmax(1);
    correct += prediction.eq(batch.target).sum().item<int64_t>();
    total += batch.target.numel();
  }

  std::printf("steps %zu  median step %.2f ms (%.2f ms CPU)  epoch %.1f s\n", step_times.size(),
              1e3 * median(step_times), 1e3 * median(step_cpu_times), epoch_time);
  std::printf("test accuracy %.2f%% (%lld/%lld)\n", 100.0 * double(correct) / double(total),
              static_cast<long long>(correct), static_cast<long long>(total));
  cresset::save(model, args.save);
  std::printf("saved the model to %s\n", args.save.c_str());
}

int main(int argc, char** argv) {
  try {
    run(parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
