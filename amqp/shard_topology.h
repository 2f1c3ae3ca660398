// ShardTopology: declares the RabbitMQ objects of amqp/topology.h that an
// engine shard needs (idempotent; every party declaring them uses these
// functions, so the arguments always agree and RabbitMQ never refuses a
// redeclaration).
//
// Runs on whichever thread owns the AmqpClient passed in.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "amqp/amqp_client.h"

namespace exchange::amqp {

// The orders exchange, the dead-letter exchange and queue, the shard's queue
// (dead-lettering to it) bound to each symbol and to kAllSymbolsKey.
// Returns the queue's name.
std::string DeclareShardTopology(AmqpClient& client, std::string_view shard,
                                 const std::vector<std::string>& symbols);

// The events topic exchange.
void DeclareEventsExchange(AmqpClient& client);

}  // namespace exchange::amqp
