#include "bench/logged_process.h"

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace exchange::bench {

namespace {

testing::ChildOptions ServiceOptions(const std::vector<std::string>& args,
                                     const std::string& amqp_url, const std::string& log_path) {
  testing::ChildOptions options;
  options.path = args.at(0);
  options.args = args;
  options.env = {{"EXCHANGE_AMQP_URL", amqp_url}};
  options.output_file = log_path;
  options.null_stdin = true;
  options.die_with_parent = true;
  return options;
}

}  // namespace

std::string BesideSelf(const std::string& name) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return name;
  return (self.parent_path() / name).string();
}

std::string ReadTail(const std::string& path, std::size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);)
    all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += "    | " + all[i] + "\n";
  return out.empty() ? "    (its log is empty)\n" : out;
}

LoggedProcess::LoggedProcess(std::string name, const std::vector<std::string>& args,
                             const std::string& amqp_url, std::string log_path)
    : name_(std::move(name)),
      log_path_(std::move(log_path)),
      process_(ServiceOptions(args, amqp_url, log_path_)) {}

void LoggedProcess::Check() {
  if (!process_.running()) throw std::runtime_error(name_ + " is not running");
  if (const auto status = process_.Poll()) {
    throw std::runtime_error(name_ + " " + testing::DescribeWaitStatus(*status) +
                             " during the run; the end of its log:\n" + ReadTail(log_path_, 20));
  }
}

std::string LoggedProcess::Stop(std::chrono::seconds timeout, const std::function<void()>& tick) {
  if (!process_.running()) return "not running";
  process_.Signal(SIGTERM);
  std::optional<int> status;
  try {
    status = process_.WaitFor(timeout, tick);
  } catch (const std::exception& e) {
    return e.what();  // waitpid failed
  }
  if (!status) {
    process_.SignalAndWait(SIGKILL);
    return "did not stop within " + std::to_string(timeout.count()) +
           " s of SIGTERM and was killed; the end of its log:\n" + ReadTail(log_path_, 20);
  }
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return "";
  return testing::DescribeWaitStatus(*status) + " after SIGTERM; the end of its log:\n" +
         ReadTail(log_path_, 20);
}

}  // namespace exchange::bench
