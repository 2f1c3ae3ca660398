// Resources one benchmark run owns and must give back whatever happens: a
// fresh temporary folder, and a RabbitMQ queue to delete at the end (a
// run's shard or gateway queue is durable: left behind, it would collect
// messages forever). Shared by `exchange-bench e2e` and `exchange-bench fix`.
//
// Owned by the run's thread.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include "amqp/amqp_client.h"

namespace exchange::bench {

// A fresh folder <root>/<prefix>-XXXXXX (mkdtemp), removed with everything in it.
class TempDir {
 public:
  TempDir(const std::string& root, const std::string& prefix) {
    std::string pattern = (std::filesystem::path(root) / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::string error = "cannot create a temporary folder in ";
      error += root;
      error += ": ";
      error += std::strerror(errno);
      throw std::runtime_error(error);
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Deletes a queue when the run ends; a failure is a warning on stderr.
class QueueGuard {
 public:
  QueueGuard(amqp::Url url, std::string queue) : url_(std::move(url)), queue_(std::move(queue)) {}
  ~QueueGuard() {
    try {
      amqp::AmqpClient admin(url_, std::chrono::seconds(5));
      admin.DeleteQueue(queue_);
    } catch (const std::exception& e) {
      std::cerr << "exchange-bench: warning: could not delete queue " << queue_ << ": " << e.what()
                << "\n";
    }
  }
  QueueGuard(const QueueGuard&) = delete;
  QueueGuard& operator=(const QueueGuard&) = delete;

 private:
  amqp::Url url_;
  std::string queue_;
};

}  // namespace exchange::bench
