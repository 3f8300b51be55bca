#include "json.h"

#include <cstdlib>
#include <unordered_set>

namespace dsc::json {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(const char* text, size_t length) : p_(text), n_(length) {}

  Value document() {
    Value v = value(0);
    skip_space();
    if (i_ != n_) fail("unexpected text after the JSON value");
    return v;
  }

 private:
  const char* p_;
  size_t n_;
  size_t i_ = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError(what + " at byte " + std::to_string(i_), i_);
  }
  void skip_space() {
    while (i_ < n_ && (p_[i_] == ' ' || p_[i_] == '\t' || p_[i_] == '\n' || p_[i_] == '\r')) i_++;
  }
  bool literal(const char* word) {
    size_t k = 0;
    while (word[k]) {
      if (i_ + k >= n_ || p_[i_ + k] != word[k]) return false;
      k++;
    }
    i_ += k;
    return true;
  }

  Value value(int depth) {
    if (depth > kMaxDepth) fail("JSON nested too deeply");
    skip_space();
    if (i_ >= n_) fail("unexpected end of JSON");
    Value v;
    char c = p_[i_];
    if (c == '{') {
      v.kind = Value::Kind::Object;
      i_++;
      std::unordered_set<std::string> keys;
      skip_space();
      if (i_ < n_ && p_[i_] == '}') { i_++; return v; }
      for (;;) {
        skip_space();
        if (i_ >= n_ || p_[i_] != '"') fail("expected a string key");
        std::string key = string();
        if (!keys.insert(key).second) fail("duplicate key \"" + key + "\"");
        skip_space();
        if (i_ >= n_ || p_[i_] != ':') fail("expected ':'");
        i_++;
        v.object.emplace_back(std::move(key), value(depth + 1));
        skip_space();
        if (i_ < n_ && p_[i_] == ',') { i_++; continue; }
        if (i_ < n_ && p_[i_] == '}') { i_++; return v; }
        fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind = Value::Kind::Array;
      i_++;
      skip_space();
      if (i_ < n_ && p_[i_] == ']') { i_++; return v; }
      for (;;) {
        v.array.push_back(value(depth + 1));
        skip_space();
        if (i_ < n_ && p_[i_] == ',') { i_++; continue; }
        if (i_ < n_ && p_[i_] == ']') { i_++; return v; }
        fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = Value::Kind::String;
      v.string = string();
      return v;
    }
    if (literal("true")) { v.kind = Value::Kind::Bool; v.boolean = true; return v; }
    if (literal("false")) { v.kind = Value::Kind::Bool; return v; }
    if (literal("null")) return v;
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    fail("unexpected character");
  }

  Value number() {
    size_t start = i_;
    bool integral = true;
    if (p_[i_] == '-') i_++;
    if (i_ >= n_ || p_[i_] < '0' || p_[i_] > '9') fail("malformed number");
    if (p_[i_] == '0') i_++;
    else while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') i_++;
    if (i_ < n_ && p_[i_] == '.') {
      integral = false;
      i_++;
      if (i_ >= n_ || p_[i_] < '0' || p_[i_] > '9') fail("malformed number");
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') i_++;
    }
    if (i_ < n_ && (p_[i_] == 'e' || p_[i_] == 'E')) {
      integral = false;
      i_++;
      if (i_ < n_ && (p_[i_] == '+' || p_[i_] == '-')) i_++;
      if (i_ >= n_ || p_[i_] < '0' || p_[i_] > '9') fail("malformed number");
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') i_++;
    }
    // strtod/strtoll need a terminated copy: the header is not NUL-terminated.
    std::string text(p_ + start, i_ - start);
    Value v;
    v.kind = Value::Kind::Number;
    v.number = std::strtod(text.c_str(), nullptr);
    if (integral) {
      bool negative = text[0] == '-';
      uint64_t magnitude = 0;
      bool fits = true;
      for (size_t k = negative ? 1 : 0; k < text.size(); k++) {
        uint64_t digit = static_cast<uint64_t>(text[k] - '0');
        if (magnitude > (UINT64_MAX - digit) / 10) { fits = false; break; }
        magnitude = magnitude * 10 + digit;
      }
      uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
      if (fits && magnitude <= limit) {
        v.is_integer = true;
        v.integer = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
      }
    }
    return v;
  }

  unsigned hex4() {
    if (n_ - i_ < 4) fail("truncated \\u escape");
    unsigned code = 0;
    for (int k = 0; k < 4; k++) {
      char h = p_[i_++];
      code <<= 4;
      if (h >= '0' && h <= '9') code |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') code |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') code |= static_cast<unsigned>(h - 'A' + 10);
      else fail("bad hex digit in \\u escape");
    }
    return code;
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  /** Copies one UTF-8 sequence starting at i_, rejecting overlong forms, surrogates and bytes past U+10FFFF. */
  void utf8_sequence(std::string& out) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(p_[i_ + k]); };
    unsigned char lead = byte(0);
    size_t length;
    unsigned code;
    if (lead >= 0xC2 && lead <= 0xDF) { length = 2; code = lead & 0x1F; }
    else if (lead >= 0xE0 && lead <= 0xEF) { length = 3; code = lead & 0x0F; }
    else if (lead >= 0xF0 && lead <= 0xF4) { length = 4; code = lead & 0x07; }
    else fail("invalid UTF-8");
    if (n_ - i_ < length) fail("truncated UTF-8");
    for (size_t k = 1; k < length; k++) {
      if ((byte(k) & 0xC0) != 0x80) fail("invalid UTF-8");
      code = (code << 6) | (byte(k) & 0x3F);
    }
    if ((length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
        (length == 4 && (code < 0x10000 || code > 0x10FFFF)))
      fail("invalid UTF-8");
    out.append(p_ + i_, length);
    i_ += length;
  }

  std::string string() {
    i_++;  // opening quote
    std::string out;
    for (;;) {
      if (i_ >= n_) fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(p_[i_]);
      if (c == '"') { i_++; return out; }
      if (c < 0x20) fail("control character in string");
      if (c >= 0x80) { utf8_sequence(out); continue; }
      if (c != '\\') { out += static_cast<char>(c); i_++; continue; }
      i_++;
      if (i_ >= n_) fail("unterminated escape");
      char e = p_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned code = hex4();
          if (code >= 0xDC00 && code <= 0xDFFF) fail("unpaired low surrogate");
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (n_ - i_ < 2 || p_[i_] != '\\' || p_[i_ + 1] != 'u') fail("unpaired high surrogate");
            i_ += 2;
            unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired high surrogate");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, code);
          break;
        }
        default: fail("bad escape");
      }
    }
  }
};

}  // namespace

const Value* Value::find(const std::string& key) const {
  for (const auto& member : object)
    if (member.first == key) return &member.second;
  return nullptr;
}

Value parse(const char* text, size_t length) { return Parser(text, length).document(); }

}  // namespace dsc::json
