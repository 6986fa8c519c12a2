#include "sim/core/npy.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "sim/core/error.h"
#include "sim/core/input_file.h"

namespace npu::npy {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
// NumPy itself refuses headers above 10 KB when reading untrusted files; 64 KiB is generous.
constexpr size_t kMaxHeader = 65536;
constexpr size_t kMaxDims = 32;

[[noreturn]] void fail(const std::string& label, const std::string& what) {
    throw UserError(Diagnostic{label, 0, 0, "", what});
}

struct DescrInfo {
    const char* descr;
    DType type;
};
// '|' marks byte-sized types (no byte order), '<' little-endian.
const DescrInfo kDescrs[] = {
    {"|i1", DType::kInt8},  {"|u1", DType::kUint8},   {"<i4", DType::kInt32},
    {"<i8", DType::kInt64}, {"<f4", DType::kFloat32}, {"<f8", DType::kFloat64},
    {"<i1", DType::kInt8},  {"<u1", DType::kUint8},   {"i1", DType::kInt8},
    {"u1", DType::kUint8},
};

// A tiny parser for the header's Python dict literal: {'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), }.
class HeaderParser {
  public:
    HeaderParser(const std::string& text, const std::string& label) : m_s(text), m_label(label) {}

    void parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape) {
        bool have_descr = false, have_fortran = false, have_shape = false;
        skip();
        expect('{');
        while (true) {
            skip();
            if (peek() == '}') {
                ++m_i;
                break;
            }
            const std::string key = string_literal();
            skip();
            expect(':');
            skip();
            if (key == "descr") {
                descr = string_literal();
                have_descr = true;
            } else if (key == "fortran_order") {
                fortran = boolean();
                have_fortran = true;
            } else if (key == "shape") {
                shape = tuple();
                have_shape = true;
            } else {
                bad("expected the keys 'descr', 'fortran_order' and 'shape', found '" + key + "'");
            }
            skip();
            if (peek() == ',') {
                ++m_i;
                continue;
            }
            skip();
            expect('}');
            break;
        }
        skip();
        if (m_i != m_s.size()) bad("expected the end of the header after '}'");
        if (!have_descr || !have_fortran || !have_shape) {
            bad("expected the header to give 'descr', 'fortran_order' and 'shape'");
        }
    }

  private:
    const std::string& m_s;
    const std::string& m_label;
    size_t m_i = 0;

    [[noreturn]] void bad(const std::string& what) {
        fail(m_label, "malformed .npy header: " + what);
    }
    char peek() const { return m_i < m_s.size() ? m_s[m_i] : '\0'; }
    void skip() {
        while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\n' || m_s[m_i] == '\t')) {
            ++m_i;
        }
    }
    void expect(char c) {
        if (peek() != c) {
            bad(std::string("expected '") + c + "' at character " + std::to_string(m_i));
        }
        ++m_i;
    }
    std::string string_literal() {
        const char q = peek();
        if (q != '\'' && q != '"')
            bad("expected a quoted string at character " + std::to_string(m_i));
        ++m_i;
        std::string v;
        while (m_i < m_s.size() && m_s[m_i] != q) {
            if (v.size() > 64) bad("expected a short string, found a longer one");
            v += m_s[m_i++];
        }
        expect(q);
        return v;
    }
    bool boolean() {
        if (m_s.compare(m_i, 4, "True") == 0) {
            m_i += 4;
            return true;
        }
        if (m_s.compare(m_i, 5, "False") == 0) {
            m_i += 5;
            return false;
        }
        bad("expected True or False for 'fortran_order'");
    }
    std::vector<int64_t> tuple() {
        expect('(');
        std::vector<int64_t> dims;
        while (true) {
            skip();
            if (peek() == ')') {
                ++m_i;
                return dims;
            }
            if (!std::isdigit(static_cast<unsigned char>(peek()))) {
                bad("expected a non-negative integer dimension in 'shape'");
            }
            int64_t v = 0;
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) {
                    bad("expected dimensions below 2^63 in 'shape'");
                }
                v = v * 10 + (m_s[m_i++] - '0');
            }
            // Python longs may carry an 'L' suffix in files written by Python 2.
            if (peek() == 'L') ++m_i;
            dims.push_back(v);
            if (dims.size() > kMaxDims) {
                bad("expected at most " + std::to_string(kMaxDims) + " dimensions");
            }
            skip();
            if (peek() == ',') {
                ++m_i;
                continue;
            }
            skip();
            expect(')');
            return dims;
        }
    }
};

uint32_t read_le(const std::string& b, size_t at, size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint32_t(static_cast<uint8_t>(b[at + i])) << (8 * i);
    return v;
}

}  // namespace

const char* to_string(DType t) {
    switch (t) {
        case DType::kInt8:
            return "int8";
        case DType::kUint8:
            return "uint8";
        case DType::kInt32:
            return "int32";
        case DType::kInt64:
            return "int64";
        case DType::kFloat32:
            return "float32";
        case DType::kFloat64:
            return "float64";
    }
    return "?";
}

size_t element_size(DType t) {
    switch (t) {
        case DType::kInt8:
        case DType::kUint8:
            return 1;
        case DType::kInt32:
        case DType::kFloat32:
            return 4;
        case DType::kInt64:
        case DType::kFloat64:
            return 8;
    }
    return 1;
}

int64_t Array::elems() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::vector<int64_t> Array::ints() const {
    const size_t n = static_cast<size_t>(elems());
    std::vector<int64_t> v(n);
    for (size_t i = 0; i < n; ++i) {
        switch (dtype) {
            case DType::kInt8:
                v[i] = static_cast<int8_t>(data[i]);
                break;
            case DType::kUint8:
                v[i] = data[i];
                break;
            case DType::kInt32: {
                int32_t x;
                std::memcpy(&x, &data[i * 4], 4);
                v[i] = x;
                break;
            }
            case DType::kInt64: {
                int64_t x;
                std::memcpy(&x, &data[i * 8], 8);
                v[i] = x;
                break;
            }
            default:
                throw std::logic_error("npy::Array::ints on a float array");
        }
    }
    return v;
}

std::vector<double> Array::reals() const {
    const size_t n = static_cast<size_t>(elems());
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) {
        if (dtype == DType::kFloat32) {
            float x;
            std::memcpy(&x, &data[i * 4], 4);
            v[i] = x;
        } else if (dtype == DType::kFloat64) {
            std::memcpy(&v[i], &data[i * 8], 8);
        } else {
            throw std::logic_error("npy::Array::reals on an integer array");
        }
    }
    return v;
}

std::string shape_string(const std::vector<int64_t>& shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(shape[i]);
    }
    if (shape.size() == 1) s += ",";
    return s + ")";
}

Array parse(const std::string& b, const std::string& label, int64_t max_bytes) {
    if (b.size() < kMagicLen + 4 || b.compare(0, kMagicLen, kMagic, kMagicLen) != 0) {
        fail(label, "expected a NumPy .npy file (magic \\x93NUMPY), found " +
                        std::string(b.size() < kMagicLen + 4 ? "a file too short for one"
                                                             : "other bytes"));
    }
    const int major = static_cast<uint8_t>(b[6]);
    const int minor = static_cast<uint8_t>(b[7]);
    if ((major != 1 && major != 2 && major != 3) || minor != 0) {
        fail(label, "expected .npy format version 1.0, 2.0 or 3.0, found " + std::to_string(major) +
                        "." + std::to_string(minor));
    }
    const size_t len_bytes = major == 1 ? 2 : 4;
    if (b.size() < 8 + len_bytes) fail(label, "truncated .npy header");
    const size_t header_len = read_le(b, 8, len_bytes);
    const size_t data_at = 8 + len_bytes + header_len;
    if (header_len > kMaxHeader) {
        fail(label, "expected a .npy header of at most " + std::to_string(kMaxHeader) +
                        " bytes, found " + std::to_string(header_len));
    }
    if (b.size() < data_at) {
        fail(label, "truncated .npy header: it announces " + std::to_string(header_len) +
                        " bytes, the file has " + std::to_string(b.size() - 8 - len_bytes));
    }
    std::string header = b.substr(8 + len_bytes, header_len);
    for (char c : header) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80 && major < 3) fail(label, "malformed .npy header: non-ASCII character");
        if (u < 0x20 && c != '\n' && c != '\t') {
            fail(label, "malformed .npy header: control character");
        }
    }
    std::string descr;
    bool fortran = false;
    Array a;
    HeaderParser(header, label).parse(descr, fortran, a.shape);
    bool known = false;
    for (const DescrInfo& d : kDescrs) {
        if (descr == d.descr) {
            a.dtype = d.type;
            known = true;
        }
    }
    if (!known) {
        fail(label,
             "expected an element type int8 (|i1), uint8 (|u1), int32 (<i4), int64 (<i8), "
             "float32 (<f4) or float64 (<f8), found '" +
                 descr + "'" + (descr.size() > 1 && descr[0] == '>' ? " (big-endian)" : ""));
    }
    if (fortran) {
        fail(label,
             "expected a C-order array (fortran_order False), found a Fortran-order one "
             "(save np.ascontiguousarray(x))");
    }
    const int64_t esize = static_cast<int64_t>(element_size(a.dtype));
    int64_t elems = 1;
    for (int64_t d : a.shape) {
        if (d != 0 && elems > max_bytes / esize / d) {
            fail(label, "expected at most " + std::to_string(max_bytes) +
                            " bytes of data, found shape " + shape_string(a.shape));
        }
        elems *= d;
    }
    const int64_t bytes = elems * esize;
    const int64_t have = static_cast<int64_t>(b.size() - data_at);
    if (have != bytes) {
        fail(label, "expected " + std::to_string(bytes) + " bytes of " + to_string(a.dtype) +
                        " data for shape " + shape_string(a.shape) + ", found " +
                        std::to_string(have) + (have < bytes ? " (truncated)" : ""));
    }
    a.data.assign(b.begin() + static_cast<std::ptrdiff_t>(data_at), b.end());
    return a;
}

Array read(const std::string& path, int64_t max_bytes) {
    // A regular file only (not a FIFO, a device or a directory), of at most the data's bound plus
    // the header: checked before anything is allocated (sim/core/input_file.h).
    std::string error;
    const auto bytes = read_input_file(
        path, static_cast<uint64_t>(max_bytes) + uint64_t{kMaxHeader} + 16, "a .npy file", error);
    if (!bytes) fail(path, error);
    return parse(*bytes, path, max_bytes);
}

std::string header(const Array& a) {
    std::string descr;
    switch (a.dtype) {
        case DType::kInt8:
            descr = "|i1";
            break;
        case DType::kUint8:
            descr = "|u1";
            break;
        case DType::kInt32:
            descr = "<i4";
            break;
        case DType::kInt64:
            descr = "<i8";
            break;
        case DType::kFloat32:
            descr = "<f4";
            break;
        case DType::kFloat64:
            descr = "<f8";
            break;
    }
    std::string dict = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape_string(a.shape) + ", }";
    // Pad with spaces and a final newline so the data starts at a multiple of 64.
    const bool v2 = dict.size() + 1 + 10 > 65535;
    const size_t prefix = v2 ? 12 : 10;
    size_t total = prefix + dict.size() + 1;
    total = (total + 63) / 64 * 64;
    dict.append(total - prefix - dict.size() - 1, ' ');
    dict += '\n';
    std::string out(kMagic, kMagicLen);
    out += static_cast<char>(v2 ? 2 : 1);
    out += '\0';
    const size_t hl = dict.size();
    out += static_cast<char>(hl & 0xff);
    out += static_cast<char>((hl >> 8) & 0xff);
    if (v2) {
        out += static_cast<char>((hl >> 16) & 0xff);
        out += static_cast<char>((hl >> 24) & 0xff);
    }
    out += dict;
    return out;
}

std::string serialize(const Array& a) {
    std::string out = header(a);
    out.append(reinterpret_cast<const char*>(a.data.data()), a.data.size());
    return out;
}

namespace {
template <class T>
Array make(DType t, const std::vector<T>& v, std::vector<int64_t> shape) {
    Array a;
    a.dtype = t;
    a.shape = std::move(shape);
    a.data.resize(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(a.data.data(), v.data(), a.data.size());
    if (a.elems() != static_cast<int64_t>(v.size())) {
        throw std::invalid_argument("npy: shape " + shape_string(a.shape) + " does not hold " +
                                    std::to_string(v.size()) + " elements");
    }
    return a;
}
}  // namespace

Array from_int8(const std::vector<int8_t>& v, std::vector<int64_t> shape) {
    return make(DType::kInt8, v, std::move(shape));
}
Array from_uint8(const std::vector<uint8_t>& v, std::vector<int64_t> shape) {
    return make(DType::kUint8, v, std::move(shape));
}
Array from_int32(const std::vector<int32_t>& v, std::vector<int64_t> shape) {
    return make(DType::kInt32, v, std::move(shape));
}
Array from_float32(const std::vector<float>& v, std::vector<int64_t> shape) {
    return make(DType::kFloat32, v, std::move(shape));
}

}  // namespace npu::npy
