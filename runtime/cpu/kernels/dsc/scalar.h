// Scalar semantics of the dsc kernel IR for C++: the IR's cast rules, wrapping integer arithmetic,
// guarded integer division, and the math intrinsics (kernel-ir.ts INTRINSICS) that the C++ standard
// library does not spell directly. Generated model.cc files include this as "dsc/scalar.h".
#ifndef DSC_SCALAR_H
#define DSC_SCALAR_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace dsc {

inline int default_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// ---------------------------------------------------------------- casts (src/ir/tensor.ts writeNumbers)

/** Float to integer: truncate toward zero; 64-bit saturates, narrower types wrap modulo 2^32; NaN and infinities give 0. */
template <class To, class From>
inline To float_to_int(From x) {
  if (!std::isfinite(x)) return To(0);
  const double t = std::trunc(static_cast<double>(x));
  if (sizeof(To) == 8) {
    if (t >= 9223372036854775807.0) return To(std::numeric_limits<int64_t>::max());
    if (t < -9223372036854775808.0) return To(std::numeric_limits<int64_t>::min());
    return To(static_cast<int64_t>(t));
  }
  const double wrapped = std::fmod(t, 4294967296.0);
  return To(static_cast<uint32_t>(static_cast<int64_t>(wrapped)));
}

template <class To, class From>
inline To cast(From x) {
  if (std::is_floating_point<From>::value && std::is_integral<To>::value) return float_to_int<To>(x);
  return static_cast<To>(x);
}

// f16 and bf16 are stored as their 16-bit patterns; kernels compute on them in double and round
// once on store, straight from double (no intermediate float rounding), as the interpreter does.

inline double f16_to_f64(uint16_t h) {
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  const int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0) return sign * std::ldexp(double(mant), -24);
  if (exp == 0x1f) return mant ? std::numeric_limits<double>::quiet_NaN() : sign * std::numeric_limits<double>::infinity();
  return sign * std::ldexp(double(1024 + mant), exp - 25);
}

/** Nearest f16 (ties to even); beyond the largest finite value plus half an ulp, infinity. */
inline uint16_t f64_to_f16(double v) {
  const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  if (std::isnan(v)) return sign | 0x7e00;
  const double a = std::fabs(v);
  if (a >= 65520.0) return sign | 0x7c00;
  if (a < 6.103515625e-05) return sign | static_cast<uint16_t>(std::nearbyint(std::ldexp(a, 24)));
  int e = std::ilogb(a);
  double m = std::nearbyint(std::ldexp(a, 10 - e));
  if (m == 2048.0) { m = 1024.0; e++; }
  return sign | static_cast<uint16_t>(((e + 15) << 10) | (static_cast<int>(m) - 1024));
}

inline double bf16_to_f64(uint16_t b) {
  const uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/** Nearest bf16 (ties to even); beyond the largest finite value plus half an ulp, infinity. */
inline uint16_t f64_to_bf16(double v) {
  const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  if (std::isnan(v)) return sign | 0x7fc0;
  const double a = std::fabs(v);
  if (a == 0) return sign;
  // the value rounded to 8 significant bits (subnormals: to multiples of 2^-133) is exact in float
  const int e = std::max(std::ilogb(a), -126);
  const double r = std::ldexp(std::nearbyint(std::ldexp(a, 7 - e)), e - 7);
  if (r > 3.3895313892515355e38) return sign | 0x7f80;
  const float f = static_cast<float>(r);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return sign | static_cast<uint16_t>(bits >> 16);
}

/** To bool (stored as one byte): nonzero, NaN included, is true. */
template <class From>
inline uint8_t to_bool(From x) { return x != From(0) ? 1 : 0; }

// ---------------------------------------------------------------- wrapping integer arithmetic

template <class T>
inline T wrap_add(T a, T b) { using U = typename std::make_unsigned<T>::type; return static_cast<T>(static_cast<U>(a) + static_cast<U>(b)); }
template <class T>
inline T wrap_sub(T a, T b) { using U = typename std::make_unsigned<T>::type; return static_cast<T>(static_cast<U>(a) - static_cast<U>(b)); }
template <class T>
inline T wrap_mul(T a, T b) { using U = typename std::make_unsigned<T>::type; return static_cast<T>(static_cast<U>(a) * static_cast<U>(b)); }

/** Integer division truncating toward zero; a zero divisor gives 0, and MIN / -1 wraps to MIN. */
template <class T>
inline T idiv(T a, T b) {
  if (b == 0) return 0;
  if (std::is_signed<T>::value && b == T(-1)) return wrap_sub(T(0), a);
  return a / b;
}

/** Remainder with the dividend's sign; a zero divisor gives 0. */
template <class T>
inline T irem(T a, T b) {
  if (b == 0) return 0;
  if (std::is_signed<T>::value && b == T(-1)) return 0;
  return a % b;
}

/** base^e with wrapping products; a negative exponent gives the integer part of the reciprocal. */
template <class T>
inline T ipow(T base, T e) {
  if (e < 0) return base == T(1) ? T(1) : (std::is_signed<T>::value && base == T(-1)) ? ((e % 2 == 0) ? T(1) : T(-1)) : T(0);
  T r = 1;
  while (e > 0) {
    if (e & 1) r = wrap_mul(r, base);
    base = wrap_mul(base, base);
    e >>= 1;
  }
  return r;
}

// ---------------------------------------------------------------- float intrinsics

template <class T> inline T rsqrt(T x) { return T(1) / std::sqrt(x); }
/** round half to even: nearbyint under the default rounding mode */
template <class T> inline T round_even(T x) { return std::nearbyint(x); }

template <class T>
inline T sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

/** log(1 + e^x) without overflow for large x */
template <class T>
inline T softplus(T x) { return x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

/** x·Φ(x) written with erfc so the negative tail keeps relative precision */
template <class T>
inline T gelu(T x) { return T(0.5) * x * std::erfc(-x * T(0.70710678118654752440)); }

template <class T>
inline T gelu_tanh(T x) { return T(0.5) * x * (T(1) + std::tanh(T(0.79788456080286535588) * (x + T(0.044715) * x * x * x))); }

/** max/min that propagate NaN from either operand (JavaScript Math.max/min, ONNX Max/Min) */
template <class T> inline T fmax_nan(T a, T b) { return (a != a || b != b) ? std::numeric_limits<T>::quiet_NaN() : (a > b ? a : b); }
template <class T> inline T fmin_nan(T a, T b) { return (a != a || b != b) ? std::numeric_limits<T>::quiet_NaN() : (a < b ? a : b); }

}  // namespace dsc

#endif  // DSC_SCALAR_H
