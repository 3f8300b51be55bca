// Scalar semantics of the dsc kernel IR for C++: the IR's cast rules, wrapping integer arithmetic,
// guarded integer division, and the math intrinsics (kernel-ir.ts INTRINSICS) that the C++ standard
// library does not spell directly. Generated model.cc files include this as "dsc/scalar.h".
#ifndef DSC_SCALAR_H
#define DSC_SCALAR_H

#include <cmath>
#include <cstdint>
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
