// `exchange-cli decode`: shows one wire message (a command batch or an event
// batch, wire/FORMAT.md) as text lines or as JSON.
//
// Plain functions: any thread, each call touching only its arguments.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace exchange::cli {

// The bytes written as hex digits; whitespace and a leading "0x" are
// ignored. Throws CliError on an odd count of digits or a non-hex character.
std::string ParseHex(std::string_view text);

// The whole of a file, or of standard input for "-". Throws CliError.
std::string ReadWholeInput(const std::string& path);

// Writes the message to `out`: a header line then one wire::Describe line
// per record, or (json) wire::ToJson of the batch on one line. For a
// malformed message writes the DecodeError reason and offset to `err` and
// returns kExitBadInput; otherwise 0.
int DecodeMessage(std::string_view bytes, bool json, std::ostream& out, std::ostream& err);

}  // namespace exchange::cli
