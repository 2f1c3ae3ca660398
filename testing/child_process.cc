#include "testing/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace exchange::testing {

namespace {

// The parent's environment with `overrides` replacing (or adding) variables.
std::vector<std::string> ChildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    bool replaced = false;
    for (const auto& [name, value] : overrides) {
      replaced = replaced || std::strncmp(*e, (name + "=").c_str(), name.size() + 1) == 0;
    }
    if (!replaced) env.emplace_back(*e);
  }
  for (const auto& [name, value] : overrides)
    env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void CloseIfOpen(int fd) {
  if (fd >= 0) ::close(fd);
}

// The descriptors the child takes as stdin, stdout and stderr (-1: the
// parent's), and the pipe it reports a failed exec on.
struct ChildDescriptors {
  int in = -1, out = -1, err = -1;
  int report[2] = {-1, -1};
  int stdout_read = -1;  // the parent's end of stdout_pipe

  void CloseChildEnds() {
    CloseIfOpen(in);
    if (out != err) CloseIfOpen(err);
    CloseIfOpen(out);
    CloseIfOpen(report[1]);
    in = out = err = report[1] = -1;
  }
};

ChildDescriptors OpenDescriptors(const ChildOptions& o) {
  ChildDescriptors d;
  bool ok = ::pipe2(d.report, O_CLOEXEC) == 0;
  if (ok && o.null_stdin) ok = (d.in = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;
  if (ok && !o.output_file.empty()) {
    d.out = d.err = ::open(o.output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ok = d.out >= 0;
  }
  if (ok && o.stdout_pipe) {
    int out[2];
    ok = ::pipe2(out, O_CLOEXEC) == 0;
    if (ok) {
      d.stdout_read = out[0];
      CloseIfOpen(d.out);
      d.out = out[1];
    }
  }
  if (!ok) {
    const int error = errno;
    d.CloseChildEnds();
    CloseIfOpen(d.report[0]);
    CloseIfOpen(d.stdout_read);
    throw std::runtime_error("cannot prepare to start " + o.path + ": " + std::strerror(error));
  }
  return d;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(const ChildDescriptors& d, bool die_with_parent, pid_t parent,
                            const char* path, char* const* argv, char* const* envp) {
  if (die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(126);
  }
  if (d.in >= 0) ::dup2(d.in, 0);
  if (d.out >= 0) ::dup2(d.out, 1);
  if (d.err >= 0) ::dup2(d.err, 2);
  ::execve(path, argv, envp);
  const int error = errno;
  [[maybe_unused]] const auto n = ::write(d.report[1], &error, sizeof error);
  ::_exit(127);
}

}  // namespace

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

ChildProcess::ChildProcess(ChildOptions o) {
  std::vector<std::string> args = o.args.empty() ? std::vector<std::string>{o.path} : o.args;
  std::vector<std::string> env = ChildEnvironment(o.env);
  const std::vector<char*> argv = Pointers(args), envp = Pointers(env);
  ChildDescriptors d = OpenDescriptors(o);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) ExecChild(d, o.die_with_parent, parent, o.path.c_str(), argv.data(), envp.data());
  const int fork_errno = errno;
  d.CloseChildEnds();
  stdout_fd_ = d.stdout_read;
  if (pid_ < 0) {
    CloseIfOpen(d.report[0]);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(fork_errno));
  }
  int exec_errno = 0;
  const auto n = ::read(d.report[0], &exec_errno, sizeof exec_errno);
  ::close(d.report[0]);
  if (n == sizeof exec_errno) {
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("cannot execute " + o.path + ": " + std::strerror(exec_errno));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) SignalAndWait(SIGKILL);
  CloseIfOpen(stdout_fd_);
}

std::optional<int> ChildProcess::Poll() {
  if (pid_ <= 0) throw std::runtime_error("not running");
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return std::nullopt;
  pid_ = -1;
  if (r < 0) throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
  return status;
}

void ChildProcess::Signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

int ChildProcess::SignalAndWait(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  const pid_t waited = ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return waited > 0 ? status : -1;
}

std::optional<int> ChildProcess::WaitFor(std::chrono::milliseconds timeout,
                                         const std::function<void()>& tick) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (tick) tick();
    if (const auto status = Poll()) return status;
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ChildProcess::ReadFirstLine() {
  std::string line;
  char c;
  while (stdout_fd_ >= 0 && ::read(stdout_fd_, &c, 1) == 1 && c != '\n')
    line += c;
  CloseIfOpen(stdout_fd_);
  stdout_fd_ = -1;
  return line;
}

}  // namespace exchange::testing
