#include "sim/frontend/tensor_io.h"

#include <cmath>
#include <cstring>
#include <numeric>
#include <set>

#include "sim/core/error.h"
#include "sim/frontend/tensor_view.h"
#include "sim/quant/float_ref.h"

namespace npu::frontend {

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
    throw UserError(Diagnostic{file, 0, 0, "--input", what});
}

std::vector<int64_t> to64(const std::vector<int32_t>& v) { return {v.begin(), v.end()}; }

// The element offsets of a view into its IR tensor (identity when dims/perm are empty).
std::vector<int64_t> view_offsets(const graph::TensorView& v, int64_t elems) {
    if (v.dims.empty()) {
        std::vector<int64_t> o(static_cast<size_t>(elems));
        std::iota(o.begin(), o.end(), 0);
        return o;
    }
    Layout l;
    l.dims = v.dims;
    l.perm = v.perm;
    l.shape = v.shape;
    if (!l.check().empty() || l.elems() != elems) {
        throw UserError(Diagnostic{"", 0, 0, "views",
                                   "view '" + v.name + "' of '" + v.tensor +
                                       "' does not describe its " + std::to_string(elems) +
                                       " elements (" + l.check() + ")"});
    }
    return l.offsets();
}

int64_t product(const std::vector<int64_t>& s) {
    int64_t p = 1;
    for (int64_t d : s) p *= d;
    return p;
}

// Drops leading 1s (batch).
std::vector<int64_t> squeezed(std::vector<int64_t> s) {
    while (s.size() > 1 && s.front() == 1) s.erase(s.begin());
    return s;
}

}  // namespace

std::string tensor_file_name(const std::string& name) {
    std::string s;
    for (char c : name) {
        const bool ok =
            std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        s += ok ? c : '_';
    }
    if (s.empty() || s == "." || s == "..") s = "_" + s;
    return s;
}

int8_t quantize_linear(float x, double scale, int32_t zero_point) {
    float v = x / static_cast<float>(scale);
    v = std::max(v, static_cast<float>(-128 - zero_point));  // NaN takes the bound, as MAXPS
    v = std::min(v, static_cast<float>(127 - zero_point));
    return static_cast<int8_t>(static_cast<int32_t>(std::nearbyintf(v)) + zero_point);
}

ConvertedInput convert_input(const graph::Workload& wl, const std::string& name,
                             const npy::Array& a, const std::string& file) {
    ConvertedInput r;
    const graph::TensorView* view = nullptr;
    bool found = false;
    for (const graph::TensorView& v : wl.views) {
        if (v.name != name) continue;
        for (size_t j = 0; j < wl.inputs.size(); ++j) {
            if (wl.inputs[j].name == v.tensor) {
                view = &v;
                r.input_index = j;
                found = true;
            }
        }
    }
    if (!found) {
        for (size_t j = 0; j < wl.inputs.size(); ++j) {
            if (wl.inputs[j].name == name) {
                r.input_index = j;
                found = true;
            }
        }
    }
    if (!found) {
        std::string names;
        std::set<std::string> seen;
        for (const graph::TensorView& v : wl.views) {
            for (const graph::Tensor& t : wl.inputs) {
                if (t.name == v.tensor && seen.insert(v.name).second) {
                    names += (names.empty() ? "'" : ", '") + v.name + "'";
                }
            }
        }
        for (const graph::Tensor& t : wl.inputs) {
            if (seen.insert(t.name).second) names += (names.empty() ? "'" : ", '") + t.name + "'";
        }
        fail(file, "'" + name + "' is not an input of the workload; its inputs: " + names);
    }
    const graph::Tensor& t = wl.inputs[r.input_index];
    const std::vector<int64_t> ir_shape = to64(t.shape);
    const int64_t elems = product(ir_shape);
    std::vector<int64_t> offs;
    // A batch of N: N images along a leading dimension, each in one image's shape.
    const int64_t images = std::max<int32_t>(1, wl.batch);
    std::vector<int64_t> got = a.shape;
    if (images > 1) {
        if (got.size() < 2 || got[0] != images) {
            fail(file, "'" + name + "': expected the batch's " + std::to_string(images) +
                           " images along the first dimension (shape (" + std::to_string(images) +
                           ", ...)), found " + npy::shape_string(got));
        }
        got.erase(got.begin());
    }
    const auto shape_is = [&](const std::vector<int64_t>& s) {
        return got == s || squeezed(got) == squeezed(s);
    };
    std::string expected;
    if (view != nullptr && shape_is(view->shape)) {
        offs = view_offsets(*view, elems);
    } else if (shape_is(ir_shape)) {
        offs.resize(static_cast<size_t>(elems));
        std::iota(offs.begin(), offs.end(), 0);
    } else if (view == nullptr && ir_shape.size() == 3 &&
               shape_is({1, ir_shape[2], ir_shape[0], ir_shape[1]})) {
        // NCHW given for an HWC image.
        Layout l = Layout::nchw(ir_shape[2], ir_shape[0], ir_shape[1], got);
        offs = l.offsets();
    } else {
        expected = npy::shape_string(view ? view->shape : ir_shape);
        fail(file, "'" + name + "': expected an array of shape " + expected +
                       (view ? " (as the model has it) or " + npy::shape_string(ir_shape) +
                                   " (the NPU's layout)"
                        : ir_shape.size() == 3 ? " (HWC) or (1, " + std::to_string(ir_shape[2]) +
                                                     ", " + std::to_string(ir_shape[0]) + ", " +
                                                     std::to_string(ir_shape[1]) + ") (NCHW)"
                                               : std::string()) +
                       ", found " + npy::shape_string(got) + (images > 1 ? " per image" : ""));
    }
    // Element e of the file: image e / elems, element offs[e % elems] of it.
    const auto at = [&](size_t e) {
        const size_t n = static_cast<size_t>(elems);
        return e / n * n + static_cast<size_t>(offs[e % n]);
    };
    const size_t total = static_cast<size_t>(elems * images);
    const graph::TensorView::Type vt = view ? view->type : graph::TensorView::Type::kInt8;
    r.data.resize(total);
    switch (a.dtype) {
        case npy::DType::kFloat32: {
            r.real.resize(total);
            for (size_t e = 0; e < total; ++e) {
                float x;
                std::memcpy(&x, &a.data[e * 4], 4);
                if (!std::isfinite(x)) {
                    fail(file, "'" + name + "': expected finite values, found " +
                                   std::to_string(x) + " at element " + std::to_string(e));
                }
                const size_t o = at(e);
                r.real[o] = x;
                r.data[o] = quantize_linear(x, t.quant.scale, t.quant.zero_point);
            }
            break;
        }
        case npy::DType::kUint8:
            if (vt != graph::TensorView::Type::kUint8) {
                fail(file, "'" + name + "': expected " +
                               (vt == graph::TensorView::Type::kInt8 ? std::string("int8")
                                                                     : std::string("float32")) +
                               " (or float32) data, found uint8");
            }
            for (size_t e = 0; e < total; ++e) {
                r.data[at(e)] = static_cast<int8_t>(int{a.data[e]} - 128);
            }
            break;
        case npy::DType::kInt8:
            if (vt == graph::TensorView::Type::kUint8) {
                fail(file, "'" + name + "': expected uint8 (or float32) data, found int8");
            }
            for (size_t e = 0; e < total; ++e) {
                r.data[at(e)] = static_cast<int8_t>(a.data[e]);
            }
            break;
        default:
            fail(file, "'" + name + "': expected float32, uint8 or int8 data, found " +
                           npy::to_string(a.dtype) +
                           (a.dtype == npy::DType::kFloat64 ? " (save x.astype(np.float32))" : ""));
    }
    return r;
}

namespace {

// Converts and applies the arrays given; the problems found before (e.g. unreadable files) are
// reported together with the conversions'.
void apply_arrays(graph::Workload& wl, const std::vector<InputArray>& inputs,
                  DiagnosticList& problems) {
    std::set<size_t> given;
    std::vector<ConvertedInput> conv;
    for (const InputArray& in : inputs) {
        try {
            ConvertedInput c = convert_input(wl, in.name, in.array, in.source);
            if (!given.insert(c.input_index).second) {
                problems.add(Diagnostic{in.source, 0, 0, "--input",
                                        "'" + in.name + "': input '" +
                                            wl.inputs[c.input_index].name + "' is given twice"});
                continue;
            }
            conv.push_back(std::move(c));
        } catch (const UserError& e) {
            for (const Diagnostic& d : e.diagnostics()) problems.add(d);
        }
    }
    problems.throw_if_any();
    if (wl.input_data.size() != wl.inputs.size()) wl.input_data.resize(wl.inputs.size());
    std::vector<std::vector<float>> real = quant::dequantized_inputs(wl);
    bool any_real = false;
    for (ConvertedInput& c : conv) {
        wl.input_data[c.input_index] = c.data;
        if (!c.real.empty()) {
            any_real = true;
            real[c.input_index] = std::move(c.real);
        } else {
            real[c.input_index] = quant::dequantized_inputs(wl)[c.input_index];
        }
    }
    wl.input = wl.input_data.at(0);
    // Float-precision runs start from the given real values.
    if (any_real) wl.float_input_data = std::move(real);
}

}  // namespace

void apply_inputs(graph::Workload& wl, const InputFiles& inputs) {
    if (inputs.empty()) return;
    DiagnosticList problems;
    std::vector<InputArray> arrays;
    for (const auto& [name, file] : inputs) {
        try {
            arrays.push_back(InputArray{name, npy::read(file, int64_t{1} << 32), file});
        } catch (const UserError& e) {
            for (const Diagnostic& d : e.diagnostics()) problems.add(d);
        }
    }
    apply_arrays(wl, arrays, problems);
}

void apply_input_arrays(graph::Workload& wl, const std::vector<InputArray>& inputs) {
    if (inputs.empty()) return;
    DiagnosticList problems;
    apply_arrays(wl, inputs, problems);
}

std::map<std::string, npy::Array> tensors_to_save(const graph::Workload& wl,
                                                  const std::vector<std::vector<int8_t>>& outputs) {
    std::map<std::string, npy::Array> files;
    const auto put = [&](const std::string& name, npy::Array a) {
        std::string f = tensor_file_name(name) + ".npy";
        for (int k = 2; files.count(f); ++k)
            f = tensor_file_name(name) + "_" + std::to_string(k) + ".npy";
        files[f] = std::move(a);
    };
    // A batch's tensors hold wl.batch images: saved with the images along a leading dimension
    // (a view's leading 1, the source model's batch, becomes the batch).
    const auto images = static_cast<size_t>(std::max<int32_t>(1, wl.batch));
    const auto batched = [&](std::vector<int64_t> shape) {
        if (images == 1) return shape;
        if (!shape.empty() && shape.front() == 1) shape.erase(shape.begin());
        shape.insert(shape.begin(), static_cast<int64_t>(images));
        return shape;
    };
    const auto save = [&](const std::string& tensor, const std::vector<int32_t>& shape,
                          const graph::QuantParams& q, const std::vector<int8_t>& data) {
        const size_t per_image = data.size() / images;
        bool any = false;
        for (const graph::TensorView& v : wl.views) {
            if (v.tensor != tensor) continue;
            any = true;
            const std::vector<int64_t> one = view_offsets(v, static_cast<int64_t>(per_image));
            // Image i's element e sits at i * per_image + one[e].
            std::vector<size_t> offs(one.size() * images);
            for (size_t i = 0; i < images; ++i) {
                for (size_t e = 0; e < one.size(); ++e) {
                    offs[i * one.size() + e] = i * per_image + static_cast<size_t>(one[e]);
                }
            }
            switch (v.type) {
                case graph::TensorView::Type::kInt8: {
                    std::vector<int8_t> out(offs.size());
                    for (size_t e = 0; e < offs.size(); ++e) out[e] = data[offs[e]];
                    put(v.name, npy::from_int8(out, batched(v.shape)));
                    break;
                }
                case graph::TensorView::Type::kUint8: {
                    std::vector<uint8_t> out(offs.size());
                    for (size_t e = 0; e < offs.size(); ++e) {
                        out[e] = static_cast<uint8_t>(data[offs[e]] + 128);
                    }
                    put(v.name, npy::from_uint8(out, batched(v.shape)));
                    break;
                }
                case graph::TensorView::Type::kFloat32: {
                    std::vector<float> out(offs.size());
                    const float s = static_cast<float>(q.scale);
                    for (size_t e = 0; e < offs.size(); ++e) {
                        const int32_t x = data[offs[e]];
                        out[e] = static_cast<float>(x - q.zero_point) * s;
                    }
                    put(v.name, npy::from_float32(out, batched(v.shape)));
                    break;
                }
            }
        }
        if (!any) {
            std::vector<int64_t> s64 = to64(shape);
            if (images > 1) s64.insert(s64.begin(), static_cast<int64_t>(images));
            put(tensor, npy::from_int8(data, s64));
        }
    };
    for (size_t j = 0; j < wl.inputs.size() && j < wl.input_data.size(); ++j) {
        save(wl.inputs[j].name, wl.inputs[j].shape, wl.inputs[j].quant, wl.input_data[j]);
    }
    for (size_t i = 0; i < wl.layers.size() && i < outputs.size(); ++i) {
        const graph::Layer& l = wl.layers[i];
        std::vector<int32_t> shape = l.out_shape;
        if (shape.empty()) shape = {static_cast<int32_t>(outputs[i].size() / images)};
        save(l.name, shape, l.output, outputs[i]);
    }
    return files;
}

}  // namespace npu::frontend
