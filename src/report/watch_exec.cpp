#include "report/watch_exec.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <utility>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not declared by <unistd.h> in C++ mode

namespace netseen::report {

CommandRunner::CommandRunner(ExecOptions options) : options_(std::move(options)) {
  if (options_.max_parallel == 0) options_.max_parallel = 1;
}

CommandRunner::~CommandRunner() { finish(); }

void CommandRunner::submit(std::string input, std::vector<std::string> env) {
  if (queue_.size() >= options_.max_queued) {
    ++counts_.dropped;
    return;
  }
  queue_.push_back({std::move(input), std::move(env)});
  poll();
}

void CommandRunner::start(Job job) {
  ++counts_.started;
  int sv[2] = {-1, -1};
  // A socket rather than a pipe: send(MSG_NOSIGNAL) cannot raise SIGPIPE when the
  // command exits without reading its input.
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    ++counts_.failed;
    return;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group: a timeout kills everything it started
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::string arg0 = "sh", arg1 = "-c", arg2 = options_.command;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  std::vector<char*> envp;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) envp.push_back(*e);
  for (auto& e : job.env) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(sv[1]);
  if (rc != 0) {
    close(sv[0]);
    ++counts_.failed;
    return;
  }
  Child c;
  c.pid = pid;
  c.fd = sv[0];
  c.input = std::move(job.input);
  c.deadline = std::chrono::steady_clock::now() + options_.timeout;
  feed(c);
  running_.push_back(std::move(c));
}

void CommandRunner::feed(Child& c) {
  while (c.fd >= 0 && c.written < c.input.size()) {
    const auto n = send(c.fd, c.input.data() + c.written, c.input.size() - c.written, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.written += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EAGAIN) return;  // the rest later (EWOULDBLOCK is EAGAIN on Linux)
    if (n < 0 && errno == EINTR) continue;
    break;  // the command closed its stdin: it does not want the rest
  }
  if (c.fd >= 0) {
    close(c.fd);  // end of input
    c.fd = -1;
  }
}

void CommandRunner::settle(const Child& c, int status, bool killed) {
  if (c.fd >= 0) close(c.fd);
  if (killed) {
    ++counts_.failed;
    ++counts_.timed_out;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    ++counts_.succeeded;
  } else {
    ++counts_.failed;
  }
}

void CommandRunner::poll() {
  const auto now = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < running_.size();) {
    auto& c = running_[i];
    if (c.fd >= 0) feed(c);
    int status = 0;
    const pid_t r = waitpid(c.pid, &status, WNOHANG);
    bool done = false;
    if (r == c.pid) {
      settle(c, status, false);
      done = true;
    } else if (r < 0 && errno != EINTR) {
      settle(c, 1 << 8, false);  // not our child any more (SIGCHLD ignored?): status unknown
      done = true;
    } else if (now >= c.deadline) {
      kill(-c.pid, SIGKILL);
      kill(c.pid, SIGKILL);
      while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
      }
      settle(c, status, true);
      done = true;
    }
    if (done) {
      running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  while (running_.size() < options_.max_parallel && !queue_.empty()) {
    Job job = std::move(queue_.front());
    queue_.pop_front();
    start(std::move(job));
  }
}

void CommandRunner::finish() {
  const auto give_up = std::chrono::steady_clock::now() + 2 * options_.timeout;
  for (;;) {
    poll();
    if (running_.empty() && queue_.empty()) return;
    if (std::chrono::steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  counts_.dropped += queue_.size();
  queue_.clear();
  for (auto& c : running_) {
    kill(-c.pid, SIGKILL);
    kill(c.pid, SIGKILL);
    int status = 0;
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    settle(c, status, true);
  }
  running_.clear();
}

}  // namespace netseen::report
