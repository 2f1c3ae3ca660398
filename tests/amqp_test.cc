// Integration tests of AmqpClient against a real RabbitMQ (scripts/services.sh).
#include "amqp/amqp_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "amqp/event_routes.h"
#include "tests/service_env.h"

namespace exchange::amqp {
namespace {

using namespace std::chrono_literals;

std::string Unique(const std::string& base) {
  return base + "." + std::to_string(::getpid()) + "." +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// The next delivery within about 10 s (Next() also returns early on a
// frame that is not a delivery).
std::optional<Delivery> NextDelivery(AmqpClient& consumer) {
  std::optional<Delivery> d;
  for (int tries = 0; !d && tries < 100; ++tries)
    d = consumer.Next(100ms);
  return d;
}

TEST(AmqpClient, PublishesWithConfirmsAndConsumesWithHeaders) {
  std::string url;
  EXCHANGE_REQUIRE_SERVICE("EXCHANGE_AMQP_URL", url);
  const std::string exchange = Unique("test.x"), queue = Unique("test.q");
  AmqpClient producer(ParseUrl(url));
  producer.DeclareExchange(exchange, "direct");
  producer.DeclareQueue(queue);
  producer.Bind(queue, exchange, "k");
  producer.EnableConfirms();
  for (int i = 0; i < 100; ++i) {
    producer.Publish(exchange, "k", "body-" + std::to_string(i), {{"n", std::to_string(i)}});
  }
  ASSERT_TRUE(producer.WaitConfirms(10s));
  EXPECT_EQ(producer.confirmed(), 100u);

  AmqpClient consumer(ParseUrl(url));
  consumer.Consume(queue, 50);
  for (int i = 0; i < 100; ++i) {
    std::optional<Delivery> d = NextDelivery(consumer);
    ASSERT_TRUE(d.has_value()) << "message " << i << " did not arrive";
    EXPECT_EQ(d->body, "body-" + std::to_string(i));
    EXPECT_EQ(d->headers["n"], std::to_string(i));
    EXPECT_EQ(d->routing_key, "k");
    consumer.Ack(d->tag, false);
  }
  EXPECT_FALSE(consumer.Next(200ms).has_value());
}

// The engine's one message per batch (amqp/event_routes.h) relies on this.
TEST(AmqpClient, AlsoKeysReachEveryBoundQueueOnceAndStayHidden) {
  std::string url;
  EXCHANGE_REQUIRE_SERVICE("EXCHANGE_AMQP_URL", url);
  const std::string exchange = Unique("test.topic");
  const std::string both = Unique("test.both"), book = Unique("test.book"),
                    other = Unique("test.other");
  AmqpClient client(ParseUrl(url));
  client.DeclareExchange(exchange, "topic");
  for (const std::string& q : {both, book, other})
    client.DeclareQueue(q);
  client.Bind(both, exchange, "exec.1");
  client.Bind(both, exchange, "exec.2");
  client.Bind(book, exchange, "book.*");
  client.Bind(other, exchange, "exec.3");
  client.EnableConfirms();
  const std::vector<std::string> also{"exec.2", "book.X"};
  client.Publish(exchange, "exec.1", "batch", {{"shard", "s"}}, also);
  ASSERT_TRUE(client.WaitConfirms(10s));
  EXPECT_EQ(client.QueueDepth(both), 1u) << "a queue two keys reach gets one copy";
  EXPECT_EQ(client.QueueDepth(book), 1u);
  EXPECT_EQ(client.QueueDepth(other), 0u);

  AmqpClient consumer(ParseUrl(url));
  consumer.Consume(book, 10);
  std::optional<Delivery> d = NextDelivery(consumer);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->body, "batch");
  EXPECT_EQ(d->routing_key, "exec.1");
  EXPECT_EQ(d->headers["shard"], "s");
  EXPECT_EQ(d->headers.count("BCC"), 0u) << "RabbitMQ removes BCC before delivery";
  consumer.Ack(d->tag, false);
  for (const std::string& q : {both, book, other})
    client.DeleteQueue(q);
}

TEST(AmqpClient, RejectedMessageGoesToTheDeadLetterExchange) {
  std::string url;
  EXCHANGE_REQUIRE_SERVICE("EXCHANGE_AMQP_URL", url);
  const std::string exchange = Unique("test.x"), queue = Unique("test.q");
  const std::string dlx = Unique("test.dlx"), dlq = Unique("test.dlq");
  AmqpClient c(ParseUrl(url));
  c.DeclareExchange(dlx, "fanout");
  c.DeclareQueue(dlq);
  c.Bind(dlq, dlx, "");
  c.DeclareExchange(exchange, "direct");
  c.DeclareQueue(queue, dlx);
  c.Bind(queue, exchange, "k");
  c.Publish(exchange, "k", "poison");
  c.Consume(queue, 10);
  std::optional<Delivery> d = NextDelivery(c);
  ASSERT_TRUE(d.has_value());
  c.Reject(d->tag, /*requeue=*/false);

  AmqpClient dead(ParseUrl(url));
  dead.Consume(dlq, 10);
  std::optional<Delivery> x = NextDelivery(dead);
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->body, "poison");
}

TEST(AmqpClient, ClearErrorsForBadUrlsAndUnreachableServers) {
  EXPECT_THROW(ParseUrl("http://nope"), AmqpError);
  try {
    AmqpClient c(ParseUrl("amqp://u:p@127.0.0.1:1/"), std::chrono::seconds(2));
    FAIL() << "connected to port 1";
  } catch (const AmqpError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to RabbitMQ at 127.0.0.1:1"),
              std::string::npos)
        << e.what();
  }
  std::string url;
  EXCHANGE_REQUIRE_SERVICE("EXCHANGE_AMQP_URL", url);
  Url wrong = ParseUrl(url);
  wrong.password = "wrong";
  try {
    AmqpClient c(wrong);
    FAIL() << "logged in with a wrong password";
  } catch (const AmqpError& e) {
    EXPECT_NE(std::string(e.what()).find("login to RabbitMQ"), std::string::npos) << e.what();
  }
}

TEST(EventRoutes, TopicMatchingFollowsRabbitMq) {
  EXPECT_TRUE(TopicMatches("exec.7", "exec.7"));
  EXPECT_FALSE(TopicMatches("exec.7", "exec.70"));
  EXPECT_FALSE(TopicMatches("exec.7", "exec.7.x"));
  EXPECT_TRUE(TopicMatches("exec.*", "exec.7"));
  EXPECT_FALSE(TopicMatches("exec.*", "exec"));
  EXPECT_FALSE(TopicMatches("exec.*", "exec.7.x"));
  EXPECT_TRUE(TopicMatches("exec.#", "exec"));
  EXPECT_TRUE(TopicMatches("exec.#", "exec.7.x"));
  EXPECT_FALSE(TopicMatches("exec.#", "book.X"));
  EXPECT_TRUE(TopicMatches("#", "book.BTC-USD"));
  EXPECT_TRUE(TopicMatches("#", ""));
  EXPECT_TRUE(TopicMatches("*.BTC-USD", "trade.BTC-USD"));
  EXPECT_TRUE(TopicMatches("#.BTC-USD", "a.b.BTC-USD"));
  EXPECT_FALSE(TopicMatches("#.BTC-USD", "trade.ETH-USD"));
  EXPECT_TRUE(TopicMatches("a.#.z", "a.z"));
  EXPECT_TRUE(TopicMatches("a.#.z", "a.b.c.z"));
  EXPECT_FALSE(TopicMatches("a.#.z", "a.b.c"));
}

wire::EventRecord Record(EventType type, AccountId account, AccountId maker, const char* symbol) {
  wire::EventRecord r;
  r.event.type = type;
  r.event.account = account;
  r.event.maker_account = maker;
  r.symbol = SymbolName(symbol);
  return r;
}

TEST(EventRoutes, KeysOfEachKindOfEvent) {
  std::vector<std::string> keys;
  EventRoutingKeys(Record(EventType::kTrade, 7, 8, "BTC-USD"), &keys);
  EXPECT_EQ(keys, (std::vector<std::string>{"exec.7", "exec.8", "book.BTC-USD", "trade.BTC-USD"}));
  keys.clear();
  EventRoutingKeys(Record(EventType::kRejected, 7, 0, "BTC-USD"), &keys);
  EXPECT_EQ(keys, std::vector<std::string>{"exec.7"}) << "a reject is private";
  keys.clear();
  EventRoutingKeys(Record(EventType::kBalance, 7, 0, ""), &keys);
  EXPECT_EQ(keys, std::vector<std::string>{"exec.7"});
  keys.clear();
  EventRoutingKeys(Record(EventType::kHalted, 0, 0, "BTC-USD"), &keys);
  EXPECT_EQ(keys, std::vector<std::string>{"book.BTC-USD"});
}

TEST(EventRoutes, FilterKeepsWhatTheBindingsAskedFor) {
  const EventFilter maker_only({"exec.8"});
  EXPECT_EQ(maker_only.MatchingKey(Record(EventType::kTrade, 7, 8, "BTC-USD")), "exec.8");
  EXPECT_EQ(maker_only.MatchingKey(Record(EventType::kAccepted, 7, 0, "BTC-USD")), "");
  const EventFilter symbol({"trade.BTC-USD", "book.ETH-USD"});
  EXPECT_EQ(symbol.MatchingKey(Record(EventType::kTrade, 7, 8, "BTC-USD")), "trade.BTC-USD");
  EXPECT_EQ(symbol.MatchingKey(Record(EventType::kAccepted, 7, 0, "BTC-USD")), "");
  EXPECT_EQ(symbol.MatchingKey(Record(EventType::kRejected, 7, 0, "ETH-USD")), "")
      << "a reject never reaches a book binding";
  const EventFilter all({"#"});
  EXPECT_EQ(all.MatchingKey(Record(EventType::kAccepted, 7, 0, "BTC-USD")), "exec.7");
}

}  // namespace
}  // namespace exchange::amqp
