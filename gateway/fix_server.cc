// FixServer: see fix_server.h.
#include "gateway/fix_server.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "gateway/fix_connection.h"

namespace exchange::fix {
namespace {

constexpr auto kTimerPeriod = std::chrono::milliseconds(100);

boost::asio::ip::tcp::endpoint ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(listen.substr(0, colon), ec);
  if (ec) throw std::runtime_error("gateway.listen '" + listen + "': bad address: " + ec.message());
  const int port = std::stoi(listen.substr(colon + 1));
  if (port < 0 || port > 65535)
    throw std::runtime_error("gateway.listen '" + listen + "': bad port");
  return {address, static_cast<unsigned short>(port)};
}

}  // namespace

std::int64_t WallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

FixServer::FixServer(boost::asio::io_context& io, const GatewayConfig& config,
                     SessionApplication& application)
    : io_(io), config_(config), acceptor_(io), timer_(io) {
  std::filesystem::create_directories(config.data_dir);
  for (const SessionConfig& s : config.sessions) {
    stores_.push_back(std::make_unique<SessionStore>(
        (std::filesystem::path(config.data_dir) / (s.name + ".fixstore")).string()));
    sessions_.push_back(std::make_unique<FixSession>(s, *stores_.back(), application));
  }
  const auto endpoint = ParseListen(config.listen);
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("gateway: cannot listen on " + config.listen + ": " + ec.message());
}

FixServer::~FixServer() {
  try {
    FlushStores();
  } catch (const SessionStoreError& e) {
    spdlog::error("gateway: the last session records could not be written: {}", e.what());
  }
}

void FixServer::FlushStores() {
  for (const std::unique_ptr<SessionStore>& store : stores_) {
    if (store->has_unwritten()) store->Flush();
  }
}

std::uint16_t FixServer::port() const {
  return acceptor_.local_endpoint().port();
}

void FixServer::Start() {
  Accept();
  ScheduleTimer();
}

void FixServer::Stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  timer_.cancel();
  for (auto& weak : connections_) {
    if (auto c = weak.lock()) c->Close("the gateway is stopping");
  }
  connections_.clear();
}

FixSession* FixServer::FindSession(std::string_view client_comp_id,
                                   std::string_view gateway_comp_id) {
  for (auto& s : sessions_) {
    if (s->config().client_comp_id == client_comp_id &&
        s->config().gateway_comp_id == gateway_comp_id) {
      return s.get();
    }
  }
  return nullptr;
}

FixSession* FixServer::SessionNamed(std::string_view name) {
  for (auto& s : sessions_) {
    if (s->config().name == name) return s.get();
  }
  return nullptr;
}

void FixServer::Accept() {
  acceptor_.async_accept(
      [this](const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket) {
        if (stopped_) return;
        if (ec) {
          spdlog::warn("gateway: accept failed: {}", ec.message());
        } else {
          auto connection = std::make_shared<FixConnection>(std::move(socket), *this);
          connections_.push_back(connection);
          connection->Start();
        }
        Accept();
      });
}

void FixServer::ScheduleTimer() {
  timer_.expires_after(kTimerPeriod);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    OnTimer();
    ScheduleTimer();
  });
}

void FixServer::OnTimer() {
  const std::int64_t now = WallClockNs();
  for (auto& s : sessions_)
    s->OnTimer(now);
  for (auto it = connections_.begin(); it != connections_.end();) {
    auto c = it->lock();
    if (!c || c->closed()) {
      it = connections_.erase(it);
      continue;
    }
    c->OnTimer(now);
    ++it;
  }
}

}  // namespace exchange::fix
