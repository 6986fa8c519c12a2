// How a tensor of a source model (an ONNX tensor) lies in an IR tensor: the source tensor is
// reshape(transpose(reshape(ir, dims), perm), shape). `dims` factors the IR tensor's row-major
// elements (no size-1 factors), `perm` orders the factors as the source tensor walks them, and
// `shape` groups consecutive permuted factors (any number of size-1 axes may stand anywhere).
// Reshape, Flatten, Transpose, Squeeze and Unsqueeze of a source tensor are views of the same IR
// data; an NCHW image [1, C, H, W] over the IR's [H, W, C] is dims [H, W, C], perm [2, 0, 1].
// Plain C++; the importer and the --input / --save-tensors conversions use it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace npu::frontend {

struct Layout {
    std::vector<int64_t> dims;
    std::vector<int> perm;
    std::vector<int64_t> shape;

    // The identity layout of a tensor of `shape` (its IR tensor has the same row-major order).
    [[nodiscard]] static Layout identity(const std::vector<int64_t>& shape);
    // An NCHW source tensor [1, C, H, W] (or [C, H, W]) over an IR image [H, W, C].
    [[nodiscard]] static Layout nchw(int64_t c, int64_t h, int64_t w,
                                     const std::vector<int64_t>& shape);

    [[nodiscard]] int64_t elems() const;
    // The permuted factors (dims[perm]).
    [[nodiscard]] std::vector<int64_t> permuted() const;
    // Checks the invariants; returns "" or what is wrong.
    [[nodiscard]] std::string check() const;
    // Same element order as another layout (identical after merging factors that stay adjacent).
    [[nodiscard]] bool same_order(const Layout& o) const;
    // Whether the source tensor's order is the IR tensor's own (a plain reshape).
    [[nodiscard]] bool is_contiguous() const;
    // The IR element offset of each source element, in the source tensor's row-major order.
    [[nodiscard]] std::vector<int64_t> offsets() const;

    // The layout after a Reshape to `shape` (nullopt: not expressible as a view, e.g. [2, 3] read
    // as [3, 2] after a transpose).
    [[nodiscard]] std::optional<Layout> reshaped(const std::vector<int64_t>& new_shape) const;
    // The layout after a Transpose with permutation `axes` of the source axes.
    [[nodiscard]] Layout transposed(const std::vector<int64_t>& axes) const;
    // Merged factors (adjacent in both orders), size-1 factors dropped.
    [[nodiscard]] Layout canonical() const;
};

}  // namespace npu::frontend
