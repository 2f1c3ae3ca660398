// auth/: the master key file, sealed secrets, IP allow-lists, Binance's
// request signature, and the API keys' table against real PostgreSQL.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>

#include "auth/api_key.h"
#include "auth/api_key_store.h"
#include "auth/master_key.h"
#include "auth/request_signature.h"
#include "persistence/migration.h"
#include "service_env.h"
#include "testing/child_process.h"

namespace exchange::auth {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("auth_test_" + std::to_string(std::random_device{}()));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

TEST(RequestSignature, MatchesBinancesDocumentedExample) {
  // The HMAC example of Binance's spot API documentation (SIGNED endpoints).
  const std::string secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
  const std::string query =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
      "&timestamp=1499827319559";
  const std::string expected = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
  EXPECT_EQ(HmacSha256Hex(secret, query), expected);
  EXPECT_TRUE(SignatureMatches(secret, query, expected));
  std::string upper = expected;
  for (char& c : upper)
    c = static_cast<char>(std::toupper(c));
  EXPECT_TRUE(SignatureMatches(secret, query, upper));
  std::string flipped = expected;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  EXPECT_FALSE(SignatureMatches(secret, query, flipped));
  EXPECT_FALSE(SignatureMatches(secret, query + "&x=1", expected));
  EXPECT_FALSE(SignatureMatches(secret, query, expected.substr(1)));
}

TEST(MasterKey, CreatesOnceLoadsAndSealsSecretsOnlyItOpens) {
  TempDir dir;
  const MasterKey made = MasterKey::Create(dir / "master.key");
  EXPECT_EQ(fs::status(dir / "master.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_THROW(MasterKey::Create(dir / "master.key"), AuthError);  // never overwritten
  const MasterKey loaded = MasterKey::Load(dir / "master.key");
  EXPECT_EQ(loaded.id(), made.id());
  EXPECT_EQ(loaded.id().size(), 16u);

  const std::string sealed = made.Seal("the secret");
  EXPECT_EQ(sealed.find("the secret"), std::string::npos);
  EXPECT_NE(made.Seal("the secret"), sealed);  // a fresh nonce each time
  EXPECT_EQ(loaded.Open(sealed), "the secret");

  std::string altered = sealed;
  altered.back() ^= 1;
  EXPECT_EQ(loaded.Open(altered), std::nullopt);
  EXPECT_EQ(loaded.Open(sealed.substr(0, 10)), std::nullopt);
  const MasterKey other = MasterKey::Create(dir / "other.key");
  EXPECT_NE(other.id(), made.id());
  EXPECT_EQ(other.Open(sealed), std::nullopt);
}

TEST(MasterKey, RefusesAKeyFileOthersCanReadOrThatIsMalformed) {
  TempDir dir;
  MasterKey::Create(dir / "master.key");
  chmod((dir / "master.key").c_str(), 0640);
  try {
    MasterKey::Load(dir / "master.key");
    FAIL() << "a group-readable key file was accepted";
  } catch (const AuthError& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "short.key") << "abcd\n";
  chmod((dir / "short.key").c_str(), 0600);
  EXPECT_THROW(MasterKey::Load(dir / "short.key"), AuthError);
  EXPECT_THROW(MasterKey::Load(dir / "missing.key"), AuthError);
}

TEST(ApiKey, NewKeysHaveBinancesFormAndDiffer) {
  const std::string a = NewApiKeyText();
  EXPECT_TRUE(LooksLikeApiKey(a));
  EXPECT_NE(a, NewApiKeyText());
  EXPECT_FALSE(LooksLikeApiKey(a.substr(1)));
  EXPECT_FALSE(LooksLikeApiKey(a.substr(1) + "-"));
}

TEST(ApiKey, IpAllowListMatchesAddressesAndNetworks) {
  std::string error;
  const auto list = ParseIpAllowList("127.0.0.1, 10.1.0.0/16,2001:db8::/32", error);
  ASSERT_TRUE(list) << error;
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ(IpAllowListText(*list), "127.0.0.1,10.1.0.0/16,2001:db8::/32");
  EXPECT_TRUE(IpAllowed(*list, "127.0.0.1"));
  EXPECT_FALSE(IpAllowed(*list, "127.0.0.2"));
  EXPECT_TRUE(IpAllowed(*list, "10.1.255.3"));
  EXPECT_FALSE(IpAllowed(*list, "10.2.0.1"));
  EXPECT_TRUE(IpAllowed(*list, "2001:db8:1::5"));
  EXPECT_FALSE(IpAllowed(*list, "2001:db9::5"));
  EXPECT_FALSE(IpAllowed(*list, "not an address"));
  EXPECT_TRUE(IpAllowed({}, "192.0.2.1"));  // no list: any address

  EXPECT_FALSE(ParseIpAllowList("10.0.0.0/33", error));
  EXPECT_NE(error.find("0-32"), std::string::npos) << error;
  EXPECT_FALSE(ParseIpAllowList("localhost", error));
  EXPECT_NE(error.find("localhost"), std::string::npos) << error;
}

class ApiKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXCHANGE_REQUIRE_SERVICE("EXCHANGE_PG_URL", url_);
    schema_ = "auth_test_" + std::to_string(std::random_device{}() % 1000000);
    pqxx::connection c(url_);
    persistence::ApplyMigrations(c, persistence::kEmbeddedMigrations, schema_);
  }
  void TearDown() override {
    if (schema_.empty()) return;
    pqxx::connection c(url_);
    pqxx::work w(c);
    w.exec0("DROP SCHEMA IF EXISTS " + w.quote_name(schema_) + " CASCADE");
    w.commit();
  }
  std::string url_, schema_;
  TempDir dir_;
};

TEST_F(ApiKeyStoreTest, CreatedKeysLoadWithTheirSecretsUntilRevoked) {
  const MasterKey master = MasterKey::Create(dir_ / "master.key");
  ApiKeyStore store(url_, schema_);
  std::string error;
  const auto ips = *ParseIpAllowList("127.0.0.1", error);
  const OpenedApiKey a = store.Create(7, true, ips, "bot", master);
  const OpenedApiKey b = store.Create(8, false, {}, "", master);
  EXPECT_TRUE(LooksLikeApiKey(a.key.key));
  EXPECT_TRUE(LooksLikeApiKey(a.secret));

  // The table never holds the secret in clear.
  pqxx::connection c(url_);
  pqxx::work w(c);
  const auto rows =
      w.exec("SELECT count(*) FROM " + w.quote_name(schema_) + ".api_keys WHERE position(" +
             w.quote(a.secret) + "::bytea IN sealed_secret) > 0");
  EXPECT_EQ(rows[0][0].as<int>(), 0);

  auto loaded = store.LoadOpened(MasterKey::Load(dir_ / "master.key"));
  ASSERT_EQ(loaded.size(), 2u);
  const auto& la = loaded[0].key.key == a.key.key ? loaded[0] : loaded[1];
  EXPECT_EQ(la.secret, a.secret);
  EXPECT_EQ(la.key.account, 7u);
  EXPECT_TRUE(la.key.can_trade);
  EXPECT_EQ(la.key.ip_allow, ips);
  EXPECT_EQ(la.key.label, "bot");

  EXPECT_TRUE(store.Revoke(b.key.key));
  EXPECT_FALSE(store.Revoke(b.key.key));  // already revoked
  EXPECT_FALSE(store.Revoke(NewApiKeyText()));
  loaded = store.LoadOpened(master);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].key.key, a.key.key);
  const auto listed = store.List(8);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].revoked);
  EXPECT_EQ(store.List().size(), 2u);
}

TEST_F(ApiKeyStoreTest, ResealMovesSecretsToANewMasterKeyAndTheOldOneIsRefused) {
  const MasterKey old_key = MasterKey::Create(dir_ / "old.key");
  const MasterKey new_key = MasterKey::Create(dir_ / "new.key");
  ApiKeyStore store(url_, schema_);
  const OpenedApiKey a = store.Create(1, true, {}, "", old_key);
  store.Create(2, false, {}, "", old_key);
  try {
    store.LoadOpened(new_key);
    FAIL() << "secrets sealed under another key were opened";
  } catch (const AuthError& e) {
    EXPECT_NE(std::string(e.what()).find(old_key.id()), std::string::npos) << e.what();
  }
  EXPECT_EQ(store.Reseal(old_key, new_key), 2u);
  const auto loaded = store.LoadOpened(new_key);
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_TRUE(loaded[0].secret == a.secret || loaded[1].secret == a.secret);
  EXPECT_THROW(store.LoadOpened(old_key), AuthError);
  EXPECT_EQ(store.Reseal(old_key, new_key), 0u);
}

// The exchange-cli binary: the master key file, a key made and listed, its
// secret (printed once) the one the store opens, revoked once.
TEST_F(ApiKeyStoreTest, TheCliBinaryManagesKeys) {
  const auto run = [&](std::vector<std::string> args) {
    testing::ChildOptions options;
    options.path = EXCHANGE_CLI_BIN;
    args.insert(args.begin(), {EXCHANGE_CLI_BIN, "apikey"});
    if (args[2] != "create-master-key") args.insert(args.end(), {"--pg-schema", schema_});
    options.args = args;
    options.output_file = (dir_ / "cli.out").string();
    options.null_stdin = true;
    testing::ChildProcess cli(options);
    const std::optional<int> status = cli.WaitFor(std::chrono::milliseconds(60000));
    std::ifstream in(options.output_file);
    const std::string output{std::istreambuf_iterator<char>(in), {}};
    return std::make_pair(status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, output);
  };
  const std::string key_file = (dir_ / "master.key").string();
  ASSERT_EQ(run({"create-master-key", "--key-file", key_file}).first, 0);
  EXPECT_EQ(run({"create-master-key", "--key-file", key_file}).first, 2);  // never overwritten

  const auto [code, out] = run({"create", "--account", "42", "--trade", "--ip", "10.0.0.0/8",
                                "--key-file", key_file, "--json"});
  ASSERT_EQ(code, 0) << out;
  const auto made = nlohmann::json::parse(out);
  const std::string key = made.at("apiKey"), secret = made.at("secretKey");
  EXPECT_EQ(made.at("ipAllow"), "10.0.0.0/8");

  const auto [list_code, list_out] = run({"list", "--account", "42", "--json"});
  ASSERT_EQ(list_code, 0) << list_out;
  EXPECT_EQ(list_out.find(secret), std::string::npos) << "list printed a secret";
  EXPECT_EQ(nlohmann::json::parse(list_out).at(0).at("apiKey"), key);

  ApiKeyStore store(url_, schema_);
  const auto opened = store.LoadOpened(MasterKey::Load(key_file));
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].secret, secret);
  EXPECT_TRUE(opened[0].key.can_trade);

  EXPECT_EQ(run({"create", "--account", "42", "--ip", "10.0.0.0/40", "--key-file", key_file}).first,
            2);
  EXPECT_EQ(run({"revoke", key}).first, 0);
  EXPECT_EQ(run({"revoke", key}).first, 4);
  EXPECT_TRUE(store.LoadOpened(MasterKey::Load(key_file)).empty());
}

}  // namespace
}  // namespace exchange::auth
