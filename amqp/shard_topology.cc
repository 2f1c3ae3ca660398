#include "amqp/shard_topology.h"

#include "amqp/topology.h"

namespace exchange::amqp {

std::string DeclareShardTopology(AmqpClient& client, std::string_view shard,
                                 const std::vector<std::string>& symbols) {
  const std::string orders(topology::kOrdersExchange);
  const std::string dead(topology::kDeadLetterExchange);
  client.DeclareExchange(orders, "direct");
  client.DeclareExchange(dead, "fanout");
  client.DeclareQueue(std::string(topology::kDeadLetterQueue));
  client.Bind(std::string(topology::kDeadLetterQueue), dead, "");
  const std::string queue = topology::ShardQueue(shard);
  client.DeclareQueue(queue, dead);
  for (const auto& symbol : symbols)
    client.Bind(queue, orders, symbol);
  client.Bind(queue, orders, std::string(topology::kAllSymbolsKey));
  client.Bind(queue, orders, topology::ShardKey(shard));
  return queue;
}

void DeclareEventsExchange(AmqpClient& client) {
  client.DeclareExchange(std::string(topology::kEventsExchange), "topic");
}

}  // namespace exchange::amqp
