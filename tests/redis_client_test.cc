// RedisClient: URL parsing (unit), and round trips, pipelines and failures
// against a real Redis (scripts/services.sh, EXCHANGE_REDIS_URL).
#include "bookstate/redis_client.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/service_env.h"

namespace exchange::redis {
namespace {

using namespace std::chrono_literals;

// A key no other test or run uses.
std::string Unique(const std::string& base) {
  return "exchange-test:" + std::to_string(::getpid()) + ":" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name() + ":" + base;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The message of the RedisError `f` throws ("" and a test failure if none).
template <typename F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const RedisError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no RedisError";
  return "";
}

// ---- URLs ----

TEST(ParseRedisUrl, FullUrl) {
  const RedisUrl u = ParseRedisUrl("redis://writer:s3cret@redis.example:6390/3");
  EXPECT_EQ(u.host, "redis.example");
  EXPECT_EQ(u.port, 6390);
  EXPECT_EQ(u.user, "writer");
  EXPECT_EQ(u.password, "s3cret");
  EXPECT_EQ(u.db, 3);
  EXPECT_EQ(Describe(u), "redis.example:6390/3");
}

TEST(ParseRedisUrl, Defaults) {
  for (const char* text : {"redis://", "redis:///", "redis://:6379", "REDIS://127.0.0.1"}) {
    const RedisUrl u = ParseRedisUrl(text);
    EXPECT_EQ(u.host, "127.0.0.1") << text;
    EXPECT_EQ(u.port, 6379) << text;
    EXPECT_EQ(u.user, "") << text;
    EXPECT_EQ(u.password, "") << text;
    EXPECT_EQ(u.db, 0) << text;
  }
  const RedisUrl host_only = ParseRedisUrl("redis://cache");
  EXPECT_EQ(host_only.host, "cache");
  EXPECT_EQ(host_only.port, 6379);
  // Password alone (legacy AUTH): the user stays empty.
  const RedisUrl legacy = ParseRedisUrl("redis://:pw@h:1");
  EXPECT_EQ(legacy.user, "");
  EXPECT_EQ(legacy.password, "pw");
  const RedisUrl v6 = ParseRedisUrl("redis://[::1]:6380/2");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 6380);
  EXPECT_EQ(Describe(v6), "[::1]:6380/2");
}

TEST(ParseRedisUrl, PercentDecodesUserAndPassword) {
  const RedisUrl u = ParseRedisUrl("redis://us%40er:p%3Aa%2Fs%25s%20@h:7/1");
  EXPECT_EQ(u.user, "us@er");
  EXPECT_EQ(u.password, "p:a/s%s ");
  EXPECT_EQ(u.host, "h");
  // Lenient: a raw '@' or '/' in the password still parses (the last '@' ends it).
  const RedisUrl raw = ParseRedisUrl("redis://u:p@s/s@h:7");
  EXPECT_EQ(raw.password, "p@s/s");
  EXPECT_EQ(raw.host, "h");
  EXPECT_EQ(raw.port, 7);
}

TEST(ParseRedisUrl, BadUrlsSayWhatIsWrongWithoutThePassword) {
  const auto message = [](const char* text) { return ErrorOf([&] { ParseRedisUrl(text); }); };
  const std::string bad_port = message("redis://u:hunter2@h:65536");
  EXPECT_TRUE(Contains(bad_port, "port '65536' is not a number from 1 to 65535")) << bad_port;
  EXPECT_FALSE(Contains(bad_port, "hunter2")) << bad_port;
  EXPECT_TRUE(Contains(bad_port, "redis://u:***@h:65536")) << bad_port;
  EXPECT_TRUE(Contains(message("redis://h:abc"), "port 'abc'"));
  EXPECT_TRUE(Contains(message("redis://h:"), "port ''"));
  const std::string scheme = message("http://h:6379");
  EXPECT_TRUE(Contains(scheme, "want redis://[user[:password]@]host[:port][/db]")) << scheme;
  EXPECT_TRUE(Contains(message("rediss://h"), "TLS (rediss://) is not supported"));
  EXPECT_TRUE(Contains(message("redis://h/x"), "database 'x' is not a number"));
  EXPECT_TRUE(Contains(message("redis://h/-1"), "database '-1'"));
  EXPECT_TRUE(Contains(message("redis://::1:6379"), "needs brackets"));
  EXPECT_TRUE(Contains(message("redis://[::1"), "unterminated IPv6"));
  EXPECT_TRUE(Contains(message("redis://h/0?timeout=1"), "query strings"));
  const std::string encoding = message("redis://u:p%zzhunter2@h");
  EXPECT_TRUE(Contains(encoding, "bad percent-encoding in the password")) << encoding;
  EXPECT_FALSE(Contains(encoding, "hunter2")) << encoding;
  EXPECT_TRUE(Contains(message("redis://u%4:p@h"), "bad percent-encoding in the user"));
}

// ---- against a server ----

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string text;
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_REDIS_URL", text);
    url_ = ParseRedisUrl(text);
  }
  void TearDown() override {
    if (keys_.empty()) return;
    RedisClient c(url_);
    for (const std::string& key : keys_)
      c.Command({"DEL", key});
  }
  std::string Key(const std::string& base) {
    keys_.push_back(Unique(base));
    return keys_.back();
  }

  RedisUrl url_;
  std::vector<std::string> keys_;  // deleted at the end
};

TEST_F(RedisClientTest, SetGetIsBinarySafe) {
  RedisClient c(url_);
  EXPECT_TRUE(c.ok());
  EXPECT_GE(c.fd(), 0);
  EXPECT_EQ(c.address(), Describe(url_));
  const std::string key = Key(std::string("bin\0key", 7));
  std::string value("a\0b\r\n\0$3\r\n*", 12);
  for (int i = 0; i < 256; ++i)
    value.push_back(static_cast<char>(i));
  const RedisReply set = c.Command({"SET", key, value});
  ASSERT_TRUE(set.is_string()) << set.str();
  EXPECT_EQ(set.str(), "OK");
  const RedisReply get = c.Command({"GET", key});
  ASSERT_TRUE(get.is_string());
  EXPECT_EQ(get.str(), value);
  EXPECT_TRUE(c.Command({"GET", Unique("missing")}).is_nil());
  // The span overload.
  const std::vector<std::string_view> strlen_argv = {"STRLEN", key};
  const RedisReply length = c.Command(strlen_argv);
  ASSERT_TRUE(length.is_integer());
  EXPECT_EQ(length.integer(), static_cast<long long>(value.size()));
}

TEST_F(RedisClientTest, PipelineOfTenThousandIncrsComesBackInOrder) {
  RedisClient c(url_);
  const std::string key = Key("counter");
  constexpr int kCount = 10000;
  for (int i = 0; i < kCount; ++i)
    c.Append({"INCR", key});
  EXPECT_EQ(c.pending(), static_cast<std::size_t>(kCount));
  std::vector<RedisReply> replies;
  c.ReadReplies(replies);
  EXPECT_EQ(c.pending(), 0u);
  ASSERT_EQ(replies.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(replies[i].is_integer()) << i;
    ASSERT_EQ(replies[i].integer(), i + 1);
  }
  // ReadReply one at a time, and the vector reused.
  c.Append({"INCR", key});
  c.Append({"GET", key});
  EXPECT_EQ(c.ReadReply().integer(), kCount + 1);
  EXPECT_EQ(c.ReadReply().str(), std::to_string(kCount + 1));
  c.Append({"DECR", key});
  c.ReadReplies(replies);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].integer(), kCount);
}

TEST_F(RedisClientTest, MultiExecInAPipelineGivesAnArray) {
  RedisClient c(url_);
  const std::string a = Key("a"), b = Key("b");
  c.Append({"MULTI"});
  c.Append({"SET", a, "x"});
  c.Append({"INCRBY", b, "5"});
  c.Append({"GET", a});
  c.Append({"EXEC"});
  std::vector<RedisReply> replies;
  c.ReadReplies(replies);
  ASSERT_EQ(replies.size(), 5u);
  EXPECT_EQ(replies[0].str(), "OK");
  for (int i = 1; i <= 3; ++i)
    EXPECT_EQ(replies[i].str(), "QUEUED");
  const RedisReply& exec = replies[4];
  ASSERT_TRUE(exec.is_array());
  ASSERT_EQ(exec.size(), 3u);
  EXPECT_EQ(exec.element(0).str(), "OK");
  EXPECT_TRUE(exec.element(1).is_integer());
  EXPECT_EQ(exec.element(1).integer(), 5);
  EXPECT_EQ(exec.element(2).str(), "x");
  EXPECT_THROW(exec.element(3), std::out_of_range);
}

TEST_F(RedisClientTest, ErrorReplyIsAReplyAndTheClientStaysUsable) {
  RedisClient c(url_);
  const std::string key = Key("list");
  ASSERT_EQ(c.Command({"RPUSH", key, "x"}).integer(), 1);
  const RedisReply wrong = c.Command({"INCR", key});
  ASSERT_TRUE(wrong.is_error());
  EXPECT_FALSE(wrong.is_string());
  EXPECT_TRUE(wrong.str().starts_with("WRONGTYPE")) << wrong.str();
  EXPECT_TRUE(c.ok());
  // In a pipeline too: the error takes its place and the rest carries on.
  c.Append({"INCR", key});
  c.Append({"LLEN", key});
  std::vector<RedisReply> replies;
  c.ReadReplies(replies);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_TRUE(replies[0].is_error());
  EXPECT_EQ(replies[1].integer(), 1);
  EXPECT_EQ(c.Command({"LINDEX", key, "0"}).str(), "x");
}

TEST_F(RedisClientTest, MisuseIsALogicError) {
  RedisClient c(url_);
  EXPECT_THROW(c.ReadReply(), std::logic_error);
  c.Append({"PING"});
  EXPECT_THROW(c.Command({"PING"}), std::logic_error);
  EXPECT_EQ(c.ReadReply().str(), "PONG");
  EXPECT_THROW(c.Command(std::span<const std::string_view>()), std::invalid_argument);
  EXPECT_TRUE(c.ok());
}

// TryReadReply never waits: a reply that has not arrived (BLPOP on an empty
// list) is "not yet", and it comes once another client pushes.
TEST_F(RedisClientTest, TryReadReplyDoesNotWaitAndGetsTheReplyWhenItArrives) {
  const std::string list = Key("list");
  RedisClient waiter(url_);
  RedisClient pusher(url_);
  RedisReply reply;
  EXPECT_THROW(waiter.TryReadReply(reply), std::logic_error);
  waiter.Append({"BLPOP", list, "10"});
  waiter.Append({"PING"});
  EXPECT_FALSE(waiter.TryReadReply(reply));
  EXPECT_EQ(waiter.pending(), 2u);
  ASSERT_EQ(pusher.Command({"RPUSH", list, "hello"}).integer(), 1);
  pollfd p{waiter.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1) << "no reply to BLPOP within 5 s of the push";
  while (!waiter.TryReadReply(reply)) {
    ASSERT_EQ(::poll(&p, 1, 5000), 1);
  }
  ASSERT_TRUE(reply.is_array());
  EXPECT_EQ(reply.element(1).str(), "hello");
  // The PING's reply came in the same packet or comes next.
  while (!waiter.TryReadReply(reply)) {
    ASSERT_EQ(::poll(&p, 1, 5000), 1);
  }
  EXPECT_EQ(reply.str(), "PONG");
  EXPECT_EQ(waiter.pending(), 0u);
}

TEST_F(RedisClientTest, TryReadReplyOnAClosedConnectionThrows) {
  RedisClient victim(url_);
  RedisClient killer(url_);
  const RedisReply id = victim.Command({"CLIENT", "ID"});
  ASSERT_TRUE(id.is_integer());
  victim.Append({"BLPOP", Key("never"), "10"});
  victim.Flush();
  ASSERT_EQ(killer.Command({"CLIENT", "KILL", "ID", std::to_string(id.integer())}).integer(), 1);
  pollfd p{victim.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  const std::string message = ErrorOf([&] {
    RedisReply reply;
    victim.TryReadReply(reply);
  });
  EXPECT_TRUE(Contains(message, "connection lost")) << message;
  EXPECT_FALSE(victim.ok());
}

TEST_F(RedisClientTest, SelectsTheUrlsDatabase) {
  RedisUrl db1 = url_;
  db1.db = 1;
  RedisClient in_db1(db1);
  const std::string key = Key("db");
  ASSERT_EQ(in_db1.Command({"SET", key, "one"}).str(), "OK");
  EXPECT_EQ(in_db1.Command({"GET", key}).str(), "one");
  RedisClient in_db0(url_);
  EXPECT_TRUE(in_db0.Command({"GET", key}).is_nil());
  EXPECT_EQ(in_db1.Command({"DEL", key}).integer(), 1);  // TearDown cleans db 0 only
}

TEST_F(RedisClientTest, WrongPasswordSaysAuthenticationFailed) {
  if (url_.password.empty()) GTEST_SKIP() << "the server has no password";
  RedisUrl wrong = url_;
  wrong.password = "not-the-password-" + std::to_string(::getpid());
  const std::string message = ErrorOf([&] { RedisClient c(wrong); });
  const std::string user = url_.user.empty() ? "default" : url_.user;
  EXPECT_TRUE(Contains(message, "authentication failed for user '" + user + "'")) << message;
  EXPECT_TRUE(Contains(message, Describe(url_))) << message;
  EXPECT_FALSE(Contains(message, wrong.password)) << message;
  EXPECT_FALSE(Contains(message, url_.password)) << message;
}

TEST_F(RedisClientTest, NoPasswordForAServerThatWantsOneFailsAtConnect) {
  if (url_.password.empty()) GTEST_SKIP() << "the server has no password";
  RedisUrl none = url_;
  none.user.clear();
  none.password.clear();
  const std::string message = ErrorOf([&] { RedisClient c(none); });
  EXPECT_TRUE(Contains(message, "NOAUTH")) << message;
  EXPECT_TRUE(Contains(message, "the URL has no password")) << message;
}

TEST(RedisClient, ClosedPortIsRefusedNamingTheAddress) {
  RedisUrl closed;
  closed.host = "127.0.0.1";
  closed.port = 1;
  closed.password = "hunter2";
  const std::string message = ErrorOf([&] { RedisClient c(closed); });
  EXPECT_TRUE(Contains(message, "redis 127.0.0.1:1/0: cannot connect: connection refused"))
      << message;
  EXPECT_FALSE(Contains(message, "hunter2")) << message;
}

TEST_F(RedisClientTest, ServerClosingTheConnectionThrowsAndBreaksTheClient) {
  RedisClient victim(url_);
  RedisClient killer(url_);
  const RedisReply id = victim.Command({"CLIENT", "ID"});
  ASSERT_TRUE(id.is_integer());
  ASSERT_EQ(killer.Command({"CLIENT", "KILL", "ID", std::to_string(id.integer())}).integer(), 1);
  const std::string message = ErrorOf([&] { victim.Command({"PING"}); });
  EXPECT_TRUE(Contains(message, "redis " + Describe(url_) + ": connection lost")) << message;
  EXPECT_FALSE(victim.ok());
  EXPECT_EQ(victim.fd(), -1);
  // Later calls say it is closed, with the first failure.
  const std::string later = ErrorOf([&] { victim.Append({"PING"}); });
  EXPECT_TRUE(Contains(later, "connection lost")) << later;
  EXPECT_TRUE(Contains(later, "build a new one")) << later;
  EXPECT_EQ(killer.Command({"PING"}).str(), "PONG");
}

// A pipeline sent into a connection the server has closed: with hiredis's own
// write() this raised SIGPIPE and killed the test binary.
TEST_F(RedisClientTest, PipelineIntoAClosedConnectionThrowsInsteadOfSigpipe) {
  RedisClient victim(url_);
  RedisClient killer(url_);
  const RedisReply id = victim.Command({"CLIENT", "ID"});
  ASSERT_EQ(killer.Command({"CLIENT", "KILL", "ID", std::to_string(id.integer())}).integer(), 1);
  const std::string key = Key("never");
  const std::string value(200, 'v');
  const std::string message = ErrorOf([&] {
    for (int i = 0; i < 20000; ++i)
      victim.Append({"SET", key, value});
    std::vector<RedisReply> replies;
    victim.ReadReplies(replies);
  });
  EXPECT_TRUE(Contains(message, "connection lost")) << message;
  EXPECT_FALSE(victim.ok());
  EXPECT_EQ(victim.pending(), 0u);
}

TEST_F(RedisClientTest, CommandTimeoutThrowsAndBreaksTheClient) {
  RedisClient c(url_, {.connect_timeout = 2s, .command_timeout = 100ms});
  // Blocks on the server until our connection goes away.
  const std::string message = ErrorOf([&] { c.Command({"BLPOP", Unique("empty"), "0"}); });
  EXPECT_TRUE(Contains(message, "no reply within 100 ms (command timeout)")) << message;
  EXPECT_FALSE(c.ok());
}

TEST_F(RedisClientTest, MovedFromClientIsNotOk) {
  RedisClient a(url_);
  RedisClient b(std::move(a));
  EXPECT_FALSE(a.ok());  // NOLINT(bugprone-use-after-move): that is the point
  EXPECT_EQ(a.fd(), -1);
  EXPECT_THROW(a.Command({"PING"}), RedisError);
  EXPECT_EQ(b.Command({"PING"}).str(), "PONG");
  RedisClient c(url_);
  c = std::move(b);
  EXPECT_EQ(c.Command({"PING"}).str(), "PONG");
}

}  // namespace
}  // namespace exchange::redis
