// NumPy .npy files (format versions 1.0, 2.0 and 3.0): the exchange format for real inputs
// (`npusim run --input`), saved tensors (`--save-tensors`), calibration images and the weight
// side files of imported workloads. Strict on purpose: the magic, the version, the header's
// dictionary (descr, fortran_order, shape and nothing else), the element type, the shape and the
// exact file size are all checked, sizes are bounded, and every problem is a npu::UserError that
// names the file and says what was expected and what was found. Only little-endian (or
// byte-sized) C-order arrays of the types below are accepted; a Fortran-order or big-endian array
// is refused rather than silently reordered.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace npu::npy {

enum class DType { kInt8, kUint8, kInt32, kInt64, kFloat32, kFloat64 };

// "int8", "uint8", "int32", "int64", "float32", "float64".
[[nodiscard]] const char* to_string(DType t);
[[nodiscard]] size_t element_size(DType t);

struct Array {
    DType dtype = DType::kFloat32;
    std::vector<int64_t> shape;  // () for a scalar
    std::vector<uint8_t> data;   // elems() * element_size(dtype) bytes, little-endian, C order
    [[nodiscard]] int64_t elems() const;
    // The elements converted to a wider type (any integer dtype to int64; float32 and float64 to
    // double). Throws std::logic_error for the wrong family.
    [[nodiscard]] std::vector<int64_t> ints() const;
    [[nodiscard]] std::vector<double> reals() const;
};

// Largest array read unless the caller says otherwise: 2 GiB of data.
inline constexpr int64_t kDefaultMaxBytes = int64_t{1} << 31;

// Parses a whole .npy file held in `bytes`; `label` names it in errors (the path).
[[nodiscard]] Array parse(const std::string& bytes, const std::string& label,
                          int64_t max_bytes = kDefaultMaxBytes);
// Reads and parses a file (a missing or unreadable file is a UserError too).
[[nodiscard]] Array read(const std::string& path, int64_t max_bytes = kDefaultMaxBytes);

// The .npy bytes of `a` (format 1.0, or 2.0 when the header does not fit 1.0; header padded so
// the data starts at a multiple of 64 bytes, as NumPy writes it).
[[nodiscard]] std::string serialize(const Array& a);
// The bytes serialize() puts before the data (magic, version, header dict, padding): a file is
// header(a) followed by a.data, for writers that avoid copying the data.
[[nodiscard]] std::string header(const Array& a);

// Shape as NumPy prints it: "(1, 3, 8, 8)", "(5,)", "()".
[[nodiscard]] std::string shape_string(const std::vector<int64_t>& shape);

// Convenience constructors.
[[nodiscard]] Array from_int8(const std::vector<int8_t>& v, std::vector<int64_t> shape);
[[nodiscard]] Array from_uint8(const std::vector<uint8_t>& v, std::vector<int64_t> shape);
[[nodiscard]] Array from_int32(const std::vector<int32_t>& v, std::vector<int64_t> shape);
[[nodiscard]] Array from_float32(const std::vector<float>& v, std::vector<int64_t> shape);

}  // namespace npu::npy
