#include "bench/e2e/run_environment.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>

#include "amqp/shard_topology.h"
#include "amqp/topology.h"

namespace exchange::bench::e2e {

namespace {

// The consumers of a queue (a passive queue.declare), or -1 when that failed.
long QueueConsumers(const amqp::Url& url, const std::string& queue) {
  amqp_connection_state_t conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(conn);
  timeval tv{5, 0};
  long consumers = -1;
  if (socket != nullptr && amqp_socket_open_noblock(socket, url.host.c_str(), url.port, &tv) == 0) {
    amqp_set_rpc_timeout(conn, &tv);
    if (amqp_login(conn, url.vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, url.user.c_str(),
                   url.password.c_str())
            .reply_type == AMQP_RESPONSE_NORMAL) {
      amqp_channel_open(conn, 1);
      if (amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL) {
        amqp_queue_declare_ok_t* ok = amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue.c_str()),
                                                         /*passive=*/1, 0, 0, 0, amqp_empty_table);
        if (amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL && ok != nullptr) {
          consumers = ok->consumer_count;
          amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
        }
      }
      amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    }
  }
  amqp_destroy_connection(conn);
  return consumers;
}

std::vector<std::string> WithProgram(const std::string& bin, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {bin};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

EngineProcess::EngineProcess(const std::string& bin, const std::vector<std::string>& args,
                             const std::string& amqp_url, const std::string& log_path)
    : process_("exchange-engine", WithProgram(bin, args), amqp_url, log_path) {
  SetEnginePid(process_.pid());
}

void EngineProcess::Check() {
  try {
    process_.Check();
  } catch (...) {
    SetEnginePid(0);
    throw;
  }
}

std::string EngineProcess::Stop(std::chrono::seconds timeout) {
  std::string result = process_.Stop(timeout, Beat);
  SetEnginePid(0);
  return result;
}

RunEnvironment::RunEnvironment(const Options& o, const std::string& instruments_path,
                               std::size_t run, AccountId first_account, AccountId last_account,
                               std::size_t track_orders, AccountId marker_account)
    : options_(o), url_(amqp::ParseUrl(o.amqp_url)) {
  shard_ =
      o.external ? o.shard : "bench-" + std::to_string(::getpid()) + "-" + std::to_string(run + 1);
  queue_ = topology::ShardQueue(shard_);
  try {
    amqp::AmqpClient admin(url_, std::chrono::seconds(10));
    if (o.external) {
      admin.QueueDepth(queue_);  // throws when missing
      if (QueueConsumers(url_, queue_) == 0) {
        throw std::runtime_error("queue " + queue_ + " has no consumer: is the service for shard " +
                                 o.shard + " running? (nothing was published)");
      }
    } else {
      amqp::DeclareShardTopology(admin, shard_, {o.symbol});
      queue_guard_.emplace(url_, queue_);
    }
    amqp::DeclareEventsExchange(admin);
  } catch (const amqp::AmqpError& e) {
    throw std::runtime_error(
        std::string(e.what()) +
        (o.external ? " (is the service running with --shard " + o.shard + "?)"
                    : " (is RabbitMQ running? scripts/services.sh start; eval \"$(scripts/"
                      "services.sh env)\")"));
  }
  if (!o.external && !o.relay) dir_.emplace(o.data_root, "exchange-e2e");
  consumer_ = std::make_unique<EventConsumer>(
      EventConsumer::Config{url_, o.symbol, first_account, last_account, track_orders,
                            marker_account, std::chrono::seconds(30)});
  if (o.relay) {
    relay_ = std::make_unique<Relay>(Relay::Config{
        url_, queue_, std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout * 1000)),
        std::chrono::seconds(30)});
  } else if (!o.external) {
    std::vector<std::string> args = {"--shard",       shard_,
                                     "--data-dir",    dir_->path() + "/data",
                                     "--instruments", instruments_path,
                                     "--symbols",     o.symbol,
                                     "--metrics",     "",
                                     "--log-level",   "warn"};
    args.insert(args.end(), o.engine_args.begin(), o.engine_args.end());
    engine_ = std::make_unique<EngineProcess>(o.engine_bin, args, o.amqp_url,
                                              dir_->path() + "/engine.log");
  }
  const bool via_orders = o.via_orders_exchange;
  producer_ = std::make_unique<Producer>(
      url_, via_orders ? std::string(topology::kOrdersExchange) : std::string(),
      via_orders ? o.symbol : queue_, o.window,
      std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout * 1000)), [this] { Check(); });
}

}  // namespace exchange::bench::e2e
