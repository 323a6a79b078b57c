// Runs the real binary and checks exit codes and messages (product.md's contract).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/huge_pages.hpp"

namespace {

struct Run {
  int code = -1;
  std::string out;  // stdout and stderr together
};

Run run_cmd(const std::string& command) {
  const std::string cmd = command + " 2>&1";
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

Run run(const std::string& args) { return run_cmd(std::string(NETSEEN_EXE) + " " + args); }

// Runs `args` with `env` ("NAME=value …") set for the program.
Run run_with_env(const std::string& env, const std::string& args) { return run_cmd(env + " " + NETSEEN_EXE + " " + args); }

// Runs `args`, expects exit `code` and `needle` in what it printed.
void expect_exit(const std::string& args, int code, const std::string& needle) {
  const auto r = run(args);
  EXPECT_EQ(r.code, code) << args;
  EXPECT_NE(r.out.find(needle), std::string::npos) << args << ": " << r.out;
}

TEST(Cli, VersionAndHelpListEverySubcommand) {
  auto v = run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("netseen 0."), std::string::npos) << v.out;
  auto h = run("--help");
  EXPECT_EQ(h.code, 0);
  for (const char* c : {"analyze", "decode", "explain", "nbstat", "query", "session", "respond", "watch", "history"}) {
    EXPECT_NE(h.out.find(c), std::string::npos) << c;
  }
}

// libpcap, and the nine libraries it brings, is loaded only by live capture
// (ingest/pcap_api.hpp): analysing a file does not map it, capturing on lo does (the library
// is loaded before the interface is opened, with or without the right to capture).
TEST(Cli, OnlyLiveCaptureLoadsLibpcap) {
  const auto loads = [](const std::string& args) {
    const std::string cmd = "LD_DEBUG=libs " + std::string(NETSEEN_EXE) + " " + args + " 2>&1";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return std::string("popen failed");
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    pclose(p);
    return out;
  };
  const auto file = loads("analyze --no-db -q --format json -o /dev/null");
  EXPECT_NE(file.find("calling init"), std::string::npos) << "LD_DEBUG gave nothing: " << file.substr(0, 500);
  EXPECT_EQ(file.find("libpcap"), std::string::npos) << "analysing a file loaded libpcap";
  const auto live = loads("decode -i lo --count --duration 0.2");
  EXPECT_NE(live.find("libpcap"), std::string::npos) << live.substr(0, 2000);
}

// A large analysis restarts once with glibc's heaps on transparent huge pages
// (cli/huge_pages.hpp). LD_DEBUG=libs shows each start of the program; the size that
// counts as large is lowered so a small input triggers it.
TEST(Cli, LargeAnalysesRestartOnceWithHugePagesForTheHeap) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer build: the heap is the sanitizer's, netseen does not restart";
#endif
  if (netseen::cli::thp_mode() != "madvise") {
    GTEST_SKIP() << "the kernel's THP mode is '" << netseen::cli::thp_mode()
                 << "', not 'madvise': there is nothing to ask glibc for";
  }
  const std::string log = ::testing::TempDir() + "netseen_huge_pages.log";
  {
    std::FILE* f = std::fopen(log.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("Mar  1 00:00:00 fw kernel: DROP IN=eth1 OUT= SRC=203.0.113.5 DST=192.168.10.1 LEN=44 TOS=0x00 "
               "PREC=0x00 TTL=50 ID=1 PROTO=TCP SPT=40000 DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0\n",
               f);
    std::fclose(f);
  }
  const auto starts = [&](const std::string& env) {
    const auto r = run_with_env(env + " LD_DEBUG=libs", "analyze --no-db -q --format json -o /dev/null " + log);
    EXPECT_EQ(r.code, 0) << env << ": " << r.out.substr(0, 2000);
    std::size_t n = 0;
    for (std::size_t at = r.out.find("initialize program"); at != std::string::npos;
         at = r.out.find("initialize program", at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(starts("NETSEEN_HUGE_PAGES_MIN_MB=0"), 2u) << "an analysis above the size did not restart";
  EXPECT_EQ(starts(""), 1u) << "a 200-byte input is below the default size";
  EXPECT_EQ(starts("NETSEEN_HUGE_PAGES_MIN_MB=0 NETSEEN_HUGE_PAGES=0"), 1u) << "NETSEEN_HUGE_PAGES=0 must turn it off";
  EXPECT_EQ(starts("NETSEEN_HUGE_PAGES_MIN_MB=0 GLIBC_TUNABLES=glibc.malloc.hugetlb=0"), 1u)
      << "a hugetlb setting of the user's own must be left alone";
  std::remove(log.c_str());
}

// The restarted process finds the marker, and puts GLIBC_TUNABLES back as the user had it.
TEST(Cli, TheRestartedProcessGetsTheUsersEnvironmentBack) {
  std::array<char*, 2> argv{const_cast<char*>("netseen"), const_cast<char*>("--version")};
  ::setenv("GLIBC_TUNABLES", "glibc.malloc.check=0:glibc.malloc.hugetlb=1", 1);
  ::setenv("NETSEEN_REEXECUTED", "set:glibc.malloc.check=0", 1);
  netseen::cli::maybe_reexec_with_huge_pages(2, argv.data());
  ASSERT_NE(std::getenv("GLIBC_TUNABLES"), nullptr);
  EXPECT_STREQ(std::getenv("GLIBC_TUNABLES"), "glibc.malloc.check=0");
  EXPECT_EQ(std::getenv("NETSEEN_REEXECUTED"), nullptr);
  ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
  ::setenv("NETSEEN_REEXECUTED", "unset", 1);
  netseen::cli::maybe_reexec_with_huge_pages(2, argv.data());
  EXPECT_EQ(std::getenv("GLIBC_TUNABLES"), nullptr);
  EXPECT_EQ(std::getenv("NETSEEN_REEXECUTED"), nullptr);
}

TEST(Cli, OnlyAnalysesCountTheirInputFiles) {
  const auto bytes = [](std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return netseen::cli::analysis_input_bytes(static_cast<int>(argv.size()), argv.data());
  };
  const std::string self = NETSEEN_EXE;  // a regular file of known size
  EXPECT_GT(bytes({"netseen", "analyze", self, "/nonexistent", "--threads"}), 100'000u);
  EXPECT_EQ(bytes({"netseen", "analyze", self, self}), 2 * bytes({"netseen", "analyze", self}));
  EXPECT_EQ(bytes({"netseen", "decode", self}), 0u);
  EXPECT_EQ(bytes({"netseen", "analyze", "/dev/null", "/tmp"}), 0u);  // not regular files
}

TEST(Cli, UnknownOptionIsAUsageError) {
  auto r = run("analyze --no-db --no-such-option");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("--no-such-option"), std::string::npos) << r.out;
  EXPECT_EQ(run("no-such-command").code, 2);
  EXPECT_EQ(run("").code, 2);
}

TEST(Cli, MissingFileNamesTheFileAndExits3) {
  auto r = run("analyze --no-db /nonexistent/capture.pcap");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("/nonexistent/capture.pcap"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("No such file"), std::string::npos) << r.out;
  auto d = run("analyze --no-db /");
  EXPECT_EQ(d.code, 3);
  EXPECT_NE(d.out.find("is a directory"), std::string::npos) << d.out;
}

// The report is written while it is rendered: a target that cannot be opened or that
// fills up is an error naming it (exit 3), not a report silently lost.
TEST(Cli, AReportThatCannotBeWrittenIsAnErrorNamingTheTarget) {
  expect_exit("analyze --no-db -q --format json -o /nonexistent/dir/report.json", 3,
              "cannot write /nonexistent/dir/report.json: No such file");
  expect_exit("analyze --no-db -q --format json -o /dev/full", 3, "cannot write /dev/full: No space left");
  // stdout full, stderr to the pipe (the exit status is then cat's: asked for apart).
  auto out = run("analyze --no-db -q 2>&1 >/dev/full | cat");
  EXPECT_NE(out.out.find("cannot write the report to stdout: No space left"), std::string::npos) << out.out;
  EXPECT_NE(run("analyze --no-db -q >/dev/full 2>/dev/null; echo exit=$?").out.find("exit=3"), std::string::npos);
}

TEST(Cli, BadOptionValuesAreUsageErrors) {
  EXPECT_EQ(run("analyze --no-db --format xml").code, 2);
  EXPECT_EQ(run("analyze --no-db --year 12").code, 2);
}

TEST(Cli, LiveCaptureOptionsAreChecked) {
  expect_exit("watch", 2, "-i INTERFACE is required");
  expect_exit("analyze -i lo /nonexistent.pcap", 2, "not both");
  expect_exit("analyze --filter 'udp port 137' /nonexistent.pcap", 2, "--filter applies to live capture");
  expect_exit("decode --bpf 'udp port 137' /nonexistent.pcap", 2, "--bpf applies to live capture");
  expect_exit("watch -i nsx-nothere0 --duration 1", 3, "nsx-nothere0");
}

}  // namespace
