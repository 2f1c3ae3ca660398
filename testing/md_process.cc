#include "testing/md_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace exchange::testing {

MdProcess::MdProcess(const std::string& binary, const std::string& redis_url,
                     const std::string& reader_url, const std::vector<std::string>& args) {
  ChildOptions options;
  options.path = binary;
  options.args = {"exchange-md", "--listen", "127.0.0.1:0"};
  options.args.insert(options.args.end(), args.begin(), args.end());
  options.env = {{"EXCHANGE_REDIS_URL", redis_url}, {"EXCHANGE_PG_READER_URL", reader_url}};
  options.stdout_pipe = true;
  process_.emplace(std::move(options));
  const std::string line = process_->ReadFirstLine();
  const auto at = line.find("port ");
  if (at == std::string::npos) {
    Stop();
    throw std::runtime_error("exchange-md (" + binary + ") did not start: '" + line + "'");
  }
  port_ = static_cast<std::uint16_t>(std::stoi(line.substr(at + 5)));
}

MdProcess::~MdProcess() {
  Stop();
}

int MdProcess::Stop() {
  return process_ ? process_->SignalAndWait(SIGTERM) : -1;
}

std::pair<int, std::string> MdProcess::Get(const std::string& target) const {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to exchange-md");
  }
  const std::string request =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    throw std::runtime_error("cannot send to exchange-md");
  }
  std::string response;
  char buffer[65536];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;)
    response.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  const auto head_end = response.find("\r\n\r\n");
  if (response.size() < 12 || head_end == std::string::npos)
    throw std::runtime_error("no HTTP answer to " + target);
  return {std::stoi(response.substr(9, 3)), response.substr(head_end + 4)};
}

double MetricValue(const std::string& metrics, const std::string& name) {
  std::size_t at = 0;
  while ((at = metrics.find(name, at)) != std::string::npos) {
    const bool line_start = at == 0 || metrics[at - 1] == '\n';
    const std::size_t after = at + name.size();
    if (line_start && after < metrics.size() && metrics[after] == ' ') {
      return std::stod(metrics.substr(after + 1, metrics.find('\n', after) - after - 1));
    }
    at = after;
  }
  return 0;
}

}  // namespace exchange::testing
