// Integration tests of AmqpClient against a real RabbitMQ (scripts/services.sh).
#include "amqp/amqp_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/service_env.h"

namespace exchange::amqp {
namespace {

using namespace std::chrono_literals;

std::string Unique(const std::string& base) {
  return base + "." + std::to_string(::getpid()) + "." +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
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
    std::optional<Delivery> d;
    for (int tries = 0; !d && tries < 100; ++tries)
      d = consumer.Next(100ms);
    ASSERT_TRUE(d.has_value()) << "message " << i << " did not arrive";
    EXPECT_EQ(d->body, "body-" + std::to_string(i));
    EXPECT_EQ(d->headers["n"], std::to_string(i));
    EXPECT_EQ(d->routing_key, "k");
    consumer.Ack(d->tag, false);
  }
  EXPECT_FALSE(consumer.Next(200ms).has_value());
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
  std::optional<Delivery> d;
  for (int tries = 0; !d && tries < 100; ++tries)
    d = c.Next(100ms);
  ASSERT_TRUE(d.has_value());
  c.Reject(d->tag, /*requeue=*/false);

  AmqpClient dead(ParseUrl(url));
  dead.Consume(dlq, 10);
  std::optional<Delivery> x;
  for (int tries = 0; !x && tries < 100; ++tries)
    x = dead.Next(100ms);
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

}  // namespace
}  // namespace exchange::amqp
