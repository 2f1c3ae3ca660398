// exchange-md's static files (md/static_site.h) and their routing in
// RequestHandler, without sockets or backends: what a directory loads to,
// content types, ETags and the precompressed gzip, `/` as index.html, the
// APIs' priority over files, 304/404/405, and the md.web_root key.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "md/http/request_handler.h"
#include "md/http/static_site.h"
#include "md/md_config.h"
#include "tests/gunzip.h"

namespace exchange::md {
namespace {

namespace fs = std::filesystem;

using ::exchange::testing::Gunzip;

void Write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() /
            ("md_static_site_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    fs::create_directories(root_ / "sub");
    index_ = "<!doctype html><title>chart</title>" + std::string(400, ' ') + "<p>page</p>";
    Write(root_ / "index.html", index_);
    script_.clear();
    for (int i = 0; i < 200; ++i)
      script_ += "console.log('line " + std::to_string(i) + "');\n";
    Write(root_ / "app.js", script_);
    Write(root_ / "style.css", "body{}");  // too small to be worth gzip
    Write(root_ / "logo.png", std::string(1000, '\x89'));
    Write(root_ / "metrics", "a file that must never shadow /metrics");
    Write(root_ / ".hidden", "not served");
    Write(root_ / "sub" / "deep.js", "not served either");
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  std::string index_, script_;
};

TEST_F(StaticSiteTest, LoadsTheDirectorysOwnFilesWithTypesAndETags) {
  const StaticSite site = StaticSite::Load(root_);
  EXPECT_EQ(site.size(), 5u);  // index.html app.js style.css logo.png metrics
  const StaticSite::File* index = site.Find("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index, site.Find("/index.html"));
  EXPECT_EQ(index->body, index_);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index->etag.front(), '"');
  EXPECT_EQ(index->etag.back(), '"');
  EXPECT_EQ(Gunzip(index->gzip), index_);

  const StaticSite::File* script = site.Find("/app.js");
  ASSERT_NE(script, nullptr);
  EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(script->etag, index->etag);
  EXPECT_LT(script->gzip.size(), script->body.size());
  EXPECT_EQ(Gunzip(script->gzip), script_);

  EXPECT_EQ(site.Find("/style.css")->content_type, "text/css; charset=utf-8");
  EXPECT_TRUE(site.Find("/style.css")->gzip.empty());
  EXPECT_EQ(site.Find("/logo.png")->content_type, "image/png");
  EXPECT_TRUE(site.Find("/logo.png")->gzip.empty());  // not compressible
  EXPECT_EQ(site.Find("/metrics")->content_type, "application/octet-stream");

  for (const char* missing : {"/.hidden", "/sub/deep.js", "/sub", "/nope.js", "/../index.html",
                              "index.html", "", "//index.html"}) {
    EXPECT_EQ(site.Find(missing), nullptr) << missing;
  }
}

TEST_F(StaticSiteTest, ETagFollowsTheContent) {
  const std::string before = StaticSite::Load(root_).Find("/")->etag;
  EXPECT_EQ(StaticSite::Load(root_).Find("/")->etag, before);
  Write(root_ / "index.html", index_ + "!");
  EXPECT_NE(StaticSite::Load(root_).Find("/")->etag, before);
}

TEST_F(StaticSiteTest, AMissingRootIsAnErrorOrNoSite) {
  EXPECT_THROW(StaticSite::Load(root_ / "absent"), std::runtime_error);
  EXPECT_THROW(StaticSite::Load(root_ / "index.html"), std::runtime_error);
  EXPECT_EQ(StaticSite::LoadOrWarn(""), nullptr);
  EXPECT_EQ(StaticSite::LoadOrWarn((root_ / "absent").string()), nullptr);
  const auto site = StaticSite::LoadOrWarn(root_.string());
  ASSERT_NE(site, nullptr);
  EXPECT_EQ(site->size(), 5u);
}

TEST(StaticSiteContentTypes, ByExtension) {
  EXPECT_EQ(ContentTypeOf("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeOf("a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeOf("a.json"), "application/json");
  EXPECT_EQ(ContentTypeOf("a.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeOf("LICENSE"), "application/octet-stream");
  EXPECT_EQ(ContentTypeOf("a.txt"), "text/plain; charset=utf-8");
}

// The handler with the site, backends never reached (the paths asked for
// need none).
class StaticRoutingTest : public StaticSiteTest {
 protected:
  void SetUp() override {
    StaticSiteTest::SetUp();
    options_.source.redis_url = "redis://127.0.0.1:1";
    options_.source.pg_url = "postgresql://127.0.0.1:1/none";
    options_.site = std::make_shared<const StaticSite>(StaticSite::Load(root_));
  }

  HttpResponse Get(std::string_view target, std::string_view accept_encoding = "",
                   std::string_view if_none_match = "", std::string_view method = "GET") {
    HttpRequest request;
    request.method = method;
    request.target = target;
    request.accept_encoding = accept_encoding;
    request.if_none_match = if_none_match;
    return handler_->Handle(request);
  }

  void MakeHandler() { handler_ = std::make_unique<RequestHandler>(options_, stats(), metrics_); }
  RequestStats& stats() { return metrics_.stats_of(0); }

  RequestHandler::Options options_;
  RequestMetrics metrics_{1};
  std::unique_ptr<RequestHandler> handler_;
};

TEST_F(StaticRoutingTest, RootIsTheIndexAndFilesCarryTheirHeaders) {
  MakeHandler();
  const HttpResponse index = Get("/?symbol=AAPL&interval=1m");
  EXPECT_EQ(index.status, 200u);
  EXPECT_EQ(index.body, index_);
  EXPECT_EQ(Header(index, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(Header(index, "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(index, "ETag"), options_.site->Find("/")->etag);
  EXPECT_EQ(Header(index, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(Header(index, "Vary"), "Accept-Encoding");
  EXPECT_EQ(Header(index, "Content-Encoding"), "");

  const HttpResponse zipped = Get("/app.js", "gzip, deflate");
  EXPECT_EQ(zipped.status, 200u);
  EXPECT_EQ(Header(zipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(zipped, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Gunzip(zipped.body), script_);
  EXPECT_EQ(Header(Get("/app.js", "gzip;q=0"), "Content-Encoding"), "");

  const HttpResponse small = Get("/style.css", "gzip");
  EXPECT_EQ(small.body, "body{}");
  EXPECT_EQ(Header(small, "Content-Encoding"), "");
  EXPECT_EQ(Header(small, "Vary"), "");
}

TEST_F(StaticRoutingTest, AKnownETagIsNotModified) {
  MakeHandler();
  const std::string etag = options_.site->Find("/app.js")->etag;
  const HttpResponse same = Get("/app.js", "gzip", etag);
  EXPECT_EQ(same.status, 304u);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(Header(same, "ETag"), etag);
  EXPECT_EQ(Get("/app.js", "", "\"other\", W/" + etag).status, 304u);
  EXPECT_EQ(Get("/app.js", "", "*").status, 304u);
  EXPECT_EQ(Get("/app.js", "", "\"other\"").status, 200u);
}

TEST_F(StaticRoutingTest, ApisKeepPriorityAndUnknownPathsAre404s) {
  MakeHandler();
  const HttpResponse metrics = Get("/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_EQ(Header(metrics, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("exchange_md_requests_total"), std::string::npos);

  const HttpResponse missing = Get("/nope.js");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(Header(missing, "Content-Type"), "application/json");
  EXPECT_EQ(missing.body, "{\"code\":-1020,\"msg\":\"Unknown path /nope.js\"}");
  EXPECT_EQ(Get("/sub/deep.js").status, 404u);
  EXPECT_EQ(Get("/api/v3/nothing").status, 404u);
  EXPECT_NE(Get("/udf/nothing").body.find("\"s\":\"error\""), std::string::npos);

  const HttpResponse post = Get("/", "", "", "POST");
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(Header(post, "Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(Header(post, "Content-Type"), "application/json");
  EXPECT_EQ(Get("/", "", "", "OPTIONS").status, 204u);
  EXPECT_EQ(Get("/app.js").status, 200u);

  // The three requests naming a file (POST, OPTIONS, GET) under "static".
  const std::string counted = metrics_.Exposition();
  EXPECT_NE(counted.find("\nexchange_md_requests_total{endpoint=\"static\"} 3\n"),
            std::string::npos)
      << counted;
}

TEST_F(StaticRoutingTest, WithoutASiteEveryOtherPathIs404) {
  options_.site = nullptr;
  MakeHandler();
  EXPECT_EQ(Get("/").status, 404u);
  EXPECT_EQ(Get("/app.js").status, 404u);
}

TEST(MdConfigWebRoot, KeyAndDefault) {
  MdConfig config;
  EXPECT_EQ(config.web_root, DefaultWebRoot());
  EXPECT_FALSE(DefaultWebRoot().empty());  // the build's md-web/
  ParseMdConfig("[md]\nweb_root = \"/srv/chart\"\n", "test.toml", &config);
  EXPECT_EQ(config.web_root, "/srv/chart");
  ParseMdConfig("[md]\nweb_root = \"\"\n", "test.toml", &config);
  EXPECT_EQ(config.web_root, "");
}

}  // namespace
}  // namespace exchange::md
