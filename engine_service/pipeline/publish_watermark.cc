#include "engine_service/pipeline/publish_watermark.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace exchange {

std::string PublishWatermarkPath(const std::string& data_dir) {
  return data_dir + "/published-up-to";
}

std::string HistoryWatermarkPath(const std::string& data_dir) {
  return data_dir + "/history-up-to";
}

std::uint64_t ReadWatermarkFile(const std::string& path, std::string* problem) {
  std::ifstream in(path);
  if (!in) return 0;
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || error != std::errc() || end != s.data() + s.size()) {
    if (problem) *problem = path + ": not a sequence number ('" + s.substr(0, 40) + "'); using 0";
    return 0;
  }
  return value;
}

std::string WriteWatermarkFile(const std::string& path, std::uint64_t sequence) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << sequence << "\n";
    if (!out.flush()) return "cannot write " + temp;
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) return "cannot rename " + temp;
  return "";
}

}  // namespace exchange
