// What every exchange-cli subcommand's flags share: the services' default
// URLs (from the environment), CLI11 validators with plain messages, and
// publishing commands to RabbitMQ with confirms.
//
// Plain functions; the main thread of exchange-cli.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "amqp/amqp_client.h"
#include "tools/cli/send.h"

namespace exchange::cli {

// $EXCHANGE_AMQP_URL, else RabbitMQ's guest on loopback.
std::string DefaultAmqpUrl();
// $EXCHANGE_REDIS_URL, else "" (no fallback: the URL holds a password, and a
// guessed Redis is no better).
std::string DefaultRedisUrl();

// Flag checks with plain messages (CLI11's numeric ones print the range of a
// double): a whole number >= 0, >= 1, and a real number >= 0.
CLI::Validator Unsigned();
CLI::Validator Positive();
CLI::Validator NonNegativeReal();

// Throws CliError (kExitBadInput) naming --amqp-url.
amqp::Url ParseAmqpUrl(const std::string& url);

// Connects to RabbitMQ and sends what `source` yields, with confirms. Throws
// CliError (kExitFailure) when the broker cannot be reached.
SendStats Publish(const amqp::Url& url, const SendOptions& options, const CommandSource& source);

}  // namespace exchange::cli
