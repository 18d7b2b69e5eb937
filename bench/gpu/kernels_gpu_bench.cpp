// The CUDA backends against the CPU backends on one machine, in one run: the table sampling kernel
// (registry_like_network.hpp, 10 columns) and the mosaic kernels on the short and long panels
// (mosaic_bench_panel.hpp). Each GPU result is compared bit for bit with the CPU's, and the program
// exits 1 if one differs (77 where no CUDA device answers). Times are wall seconds of whole calls,
// the GPU's including its allocations and both copies over PCIe (what the sample stages pay), after
// one warm-up call that pays for the CUDA context; the CPU runs with every hardware thread TBB sees.
// Reproduce (standalone kernels build on a GPU node, see bench/gpu/device_check.sh):
//   build-kernels/bench-gpu/kernels_gpu_bench [TABLE_ROWS] [SYNTHETIC]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/genome/mosaic_bench_panel.hpp"
#include "bench/registry/registry_like_network.hpp"
#include "kernels/mosaic/mosaic_kernel.hpp"
#include "kernels/sampling/network_sampler.hpp"

using namespace sc::kernels;

namespace {

int failures = 0;

double seconds(const std::function<void()>& work) {
  const auto t0 = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void same(bool equal, const char* what) {
  std::printf("    %s: %s\n", what, equal ? "identical" : "DIFFERENT");
  if (!equal) ++failures;
}

void table_kernel(int64_t rows, int columns) {
  const NetworkArrays net = sc::bench::registry_like_network(columns, 32, 256);
  sample_rows_cuda(net, 0, 1024, {});  // the CUDA context and the module load, once
  SampledRows cpu, gpu;
  const double cpu_s = seconds([&] { cpu = sample_rows_cpu(net, 0, rows, {}); });
  const double gpu_s = seconds([&] { gpu = sample_rows_cuda(net, 0, rows, {}); });
  const double r = static_cast<double>(rows);
  std::printf("  table kernel, %d columns, %lld rows, fresh output: CPU %.3f s (%.3g rows/s), GPU %.3f s (%.3g rows/s), GPU/CPU %.2fx\n",
              columns, static_cast<long long>(rows), cpu_s, r / cpu_s, gpu_s, r / gpu_s, cpu_s / gpu_s);
  same(cpu.states == gpu.states, "states");
  same(cpu.values.size() == gpu.values.size() &&
           std::memcmp(cpu.values.data(), gpu.values.data(), cpu.values.size() * sizeof(double)) == 0,
       "values (bits)");
  // The next block into the same outputs, as the sample stage draws shard after shard.
  const uint64_t next = static_cast<uint64_t>(rows);
  const double cpu_again = seconds([&] { sample_rows_cpu(net, net.key, next, rows, {}, cpu); });
  const double gpu_again = seconds([&] { sample_rows_cuda(net, net.key, next, rows, {}, gpu); });
  const double bytes = static_cast<double>(gpu.states.size() * sizeof(int32_t) + gpu.values.size() * sizeof(double));
  std::printf("    reused output: CPU %.3f s (%.3g rows/s), GPU %.3f s (%.3g rows/s, %.3g GB/s of output), GPU/CPU %.2fx\n",
              cpu_again, r / cpu_again, gpu_again, r / gpu_again, bytes / gpu_again / 1e9, cpu_again / gpu_again);
  same(cpu.states == gpu.states && std::memcmp(cpu.values.data(), gpu.values.data(), cpu.values.size() * sizeof(double)) == 0,
       "states and values of the next block");
}

bool same_lists(const SegmentLists& a, const SegmentLists& b) {
  return a.offsets == b.offsets && a.segments.size() == b.segments.size() &&
         std::memcmp(a.segments.data(), b.segments.data(), a.segments.size() * sizeof(MosaicSegment)) == 0;
}

void mosaic_kernels(const std::string& scenario, int64_t synthetic) {
  const sc::bench::MosaicBenchPanel panel = sc::bench::mosaic_bench_panel(scenario, synthetic);
  {
    sc::bench::MosaicBenchPanel warm = sc::bench::mosaic_bench_panel(scenario, 16);
    draw_segments_cuda(warm.model);
  }
  SegmentLists cpu, gpu;
  const double draw_cpu = seconds([&] { cpu = draw_segments_cpu(panel.model); });
  const double draw_gpu = seconds([&] { gpu = draw_segments_cuda(panel.model); });
  const double segments = static_cast<double>(cpu.segments.size());
  std::printf("  mosaic %s, %lld synthetic x %lld sites from %lld donors: %.3g segments\n", scenario.c_str(),
              static_cast<long long>(synthetic), static_cast<long long>(panel.variants),
              static_cast<long long>(panel.donors), segments);
  std::printf("    draw: CPU %.3f s (%.3g segments/s), GPU %.3f s (%.3g segments/s), GPU/CPU %.2fx\n", draw_cpu,
              segments / draw_cpu, draw_gpu, segments / draw_gpu, draw_cpu / draw_gpu);
  same(same_lists(cpu, gpu), "segment lists");
  double copy_cpu = 0, copy_gpu = 0;
  bool windows_equal = true;
  std::vector<uint64_t> cpu_bits, gpu_bits;  // each kept from window to window, as the sample stage does
  std::vector<int64_t> cursors;
  std::unique_ptr<MosaicCudaCopier> copier;
  const double upload = seconds([&] { copier = std::make_unique<MosaicCudaCopier>(panel.model, gpu); });
  copy_gpu = upload;
  for (int64_t first = 0; first < panel.variants; first += panel.window_variants) {
    const ReferenceWindowView window = panel.window(first);
    copy_cpu += seconds([&] { copy_window_cpu(panel.model, cpu, window, cpu_bits, &cursors); });
    copy_gpu += seconds([&] { copier->copy(window, gpu_bits); });
    windows_equal = windows_equal && gpu_bits == cpu_bits;
  }
  const double alleles = 2.0 * static_cast<double>(synthetic) * static_cast<double>(panel.variants);
  std::printf("    copy: CPU %.3f s (%.3g alleles/s), GPU %.3f s (%.3g alleles/s; %.3f s of it the lists' upload), GPU/CPU %.2fx\n",
              copy_cpu, alleles / copy_cpu, copy_gpu, alleles / copy_gpu, upload, copy_cpu / copy_gpu);
  std::printf("    draw + copy: CPU %.3g alleles/s, GPU %.3g alleles/s\n", alleles / (draw_cpu + copy_cpu),
              alleles / (draw_gpu + copy_gpu));
  same(windows_equal, "every window's bits");
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t table_rows = argc > 1 ? std::atoll(argv[1]) : int64_t{1} << 24;
  const int64_t synthetic = argc > 2 ? std::atoll(argv[2]) : 20000;
  if (!cuda_backend_available() || !mosaic_cuda_available()) {
    std::printf("kernels_gpu_bench: skipped, no CUDA device answers (or the CUDA backend was not built)\n");
    return 77;
  }
  std::printf("kernels_gpu_bench %lld %lld: CPU backends on %u hardware threads\n", static_cast<long long>(table_rows),
              static_cast<long long>(synthetic), std::thread::hardware_concurrency());
  table_kernel(table_rows, 3);
  table_kernel(table_rows, 10);
  mosaic_kernels("short", synthetic);
  mosaic_kernels("long", synthetic);
  std::printf("kernels_gpu_bench: %d result(s) differ between CPU and GPU\n", failures);
  return failures == 0 ? 0 : 1;
}
