// Replays fuzz corpora without libFuzzer, so every harness runs in `make check` under gcc
// and under the sanitizers. Arguments are files or folders (folders are walked). Each
// input is copied into a buffer of exactly its size so an overread is caught by ASan.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int replay_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return 1;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto exact = std::make_unique<std::uint8_t[]>(bytes.size() + 1);  // +1: never a zero-size new
  for (std::size_t i = 0; i < bytes.size(); ++i) exact[i] = static_cast<std::uint8_t>(bytes[i]);
  LLVMFuzzerTestOneInput(exact.get(), bytes.size());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::size_t files = 0;
  int failures = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> list;
      for (const auto& e : fs::recursive_directory_iterator(arg, ec)) {
        if (e.is_regular_file()) list.push_back(e.path());
      }
      std::sort(list.begin(), list.end());
      for (const auto& p : list) {
        failures += replay_file(p);
        ++files;
      }
    } else if (fs::exists(arg, ec)) {
      failures += replay_file(arg);
      ++files;
    }
  }
  // Also run the empty input: every harness must accept it.
  LLVMFuzzerTestOneInput(nullptr, 0);
  std::printf("replayed %zu inputs\n", files);
  return failures == 0 ? 0 : 1;
}
