// netseen watch --exec CMD: runs `/bin/sh -c CMD` once per new finding with the finding's
// JSON on its stdin. At most `max_parallel` commands run at once; more wait in a bounded
// queue (beyond it they are dropped and counted). A command still running after
// `timeout` is killed with its whole process group. The commands' stdout goes to our
// stderr so that it never mixes with the JSON stream. Nothing here blocks the capture:
// poll() does the bookkeeping without waiting.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace netseen::report {

struct ExecOptions {
  std::string command;
  std::size_t max_parallel = 4;
  std::chrono::milliseconds timeout{10'000};
  std::size_t max_queued = 64;
};

struct ExecCounts {
  std::uint64_t started = 0;
  std::uint64_t succeeded = 0;   // exit status 0
  std::uint64_t failed = 0;      // non-zero exit, killed by a signal, timed out, or could not be started
  std::uint64_t timed_out = 0;   // (also counted in failed)
  std::uint64_t dropped = 0;     // the queue was full
};

class CommandRunner {
 public:
  explicit CommandRunner(ExecOptions options);
  ~CommandRunner();  // finish()
  CommandRunner(const CommandRunner&) = delete;
  CommandRunner& operator=(const CommandRunner&) = delete;

  // Queues one run with `input` on stdin and "NAME=value" entries added to the environment.
  void submit(std::string input, std::vector<std::string> env = {});
  // Reaps finished commands, kills those past the timeout, feeds stdin, starts queued ones.
  void poll();
  // Runs what is queued and waits for everything (each command bounded by the timeout;
  // the whole wait by twice the timeout, after which the rest is killed or dropped).
  void finish();
  [[nodiscard]] const ExecCounts& counts() const noexcept { return counts_; }
  [[nodiscard]] std::size_t running() const noexcept { return running_.size(); }
  [[nodiscard]] std::size_t queued() const noexcept { return queue_.size(); }

 private:
  struct Job {
    std::string input;
    std::vector<std::string> env;
  };
  struct Child {
    pid_t pid = -1;
    int fd = -1;              // our end of its stdin
    std::string input;
    std::size_t written = 0;
    std::chrono::steady_clock::time_point deadline;
  };
  void start(Job job);
  static void feed(Child& c);
  void settle(const Child& c, int status, bool killed);

  ExecOptions options_;
  std::deque<Job> queue_;
  std::vector<Child> running_;
  ExecCounts counts_;
};

}  // namespace netseen::report
