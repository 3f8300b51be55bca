// A small, strict JSON parser for the safetensors header: RFC 8259 syntax, UTF-8 checked,
// integers kept exact, nesting depth bounded so hostile input cannot exhaust the stack.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dsc::json {

struct ParseError : std::runtime_error {
  size_t offset;
  ParseError(const std::string& what, size_t at) : std::runtime_error(what), offset(at) {}
};

struct Value {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  /** true when the number is written as an integer that fits in int64 (then `integer` holds it) */
  bool is_integer = false;
  int64_t integer = 0;
  std::string string;
  std::vector<Value> array;
  /** members in document order; duplicate keys are rejected by the parser */
  std::vector<std::pair<std::string, Value>> object;

  const Value* find(const std::string& key) const;
};

/** Parses exactly one JSON value spanning text[0, length) (surrounding whitespace allowed). */
Value parse(const char* text, size_t length);

}  // namespace dsc::json
