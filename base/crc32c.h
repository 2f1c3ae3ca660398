// Crc32c: CRC-32C (Castagnoli), the checksum of journal and snapshot records.
// Uses the SSE4.2 crc32 instruction when the CPU has it, else a table.
//
// Stateless; any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace exchange {

// Extends `crc` (0 to start) over `data`.
std::uint32_t Crc32c(std::string_view data, std::uint32_t crc = 0);

}  // namespace exchange
