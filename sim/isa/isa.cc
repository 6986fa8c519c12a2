#include "sim/isa/isa.h"

#include <sstream>
#include <stdexcept>
#include <string>

namespace npu::isa {

const char* to_string(VectorOp op) {
    switch (op) {
        case VectorOp::kAdd:
            return "add";
        case VectorOp::kMul:
            return "mul";
        case VectorOp::kMaxPool:
            return "maxpool";
        case VectorOp::kAvgPool:
            return "avgpool";
        case VectorOp::kSoftmax:
            return "softmax";
        case VectorOp::kLayerNorm:
            return "layernorm";
        case VectorOp::kRmsNorm:
            return "rmsnorm";
        case VectorOp::kLut:
            return "lut";
        case VectorOp::kCopy:
            return "copy";
        case VectorOp::kDepthwise:
            return "depthwise";
    }
    return "?";
}

const char* to_string(Opcode op) {
    switch (op) {
        case Opcode::kLoad:
            return "LOAD";
        case Opcode::kCompute:
            return "COMPUTE";
        case Opcode::kVector:
            return "VECTOR";
        case Opcode::kPostproc:
            return "POST";
        case Opcode::kStore:
            return "STORE";
        case Opcode::kSync:
            return "SYNC";
        case Opcode::kWait:
            return "WAIT";
        case Opcode::kSignal:
            return "SIGNAL";
    }
    return "?";
}

Engine engine_of(Opcode op) {
    switch (op) {
        case Opcode::kLoad:
            return Engine::kLoad;
        case Opcode::kCompute:
        case Opcode::kVector:
            return Engine::kCompute;
        case Opcode::kPostproc:
        case Opcode::kStore:
            return Engine::kStore;
        case Opcode::kSync:
        case Opcode::kWait:
        case Opcode::kSignal:
            return Engine::kController;
    }
    return Engine::kController;
}

namespace {
std::string deps_string(const Deps& d) {
    std::string s;
    auto add = [&s](bool on, const char* name) {
        if (!on) return;
        s += s.empty() ? " " : ",";
        s += name;
    };
    add(d.pop_prev, "pop_prev");
    add(d.pop_next, "pop_next");
    add(d.push_prev, "push_prev");
    add(d.push_next, "push_next");
    return s.empty() ? "" : " ;" + s;
}
}  // namespace

std::string to_asm(const Program& program, const Instr& in) {
    std::ostringstream os;
    os << in.id << ": L" << in.layer << ' ' << to_string(in.op);
    switch (in.op) {
        case Opcode::kLoad: {
            const Transfer& x = program.xfer(in);
            os << " spad[0x" << std::hex << x.sram_addr << "] <- dram[0x" << x.dram_addr << std::dec
               << "] " << x.rows << "x" << x.row_bytes << "B stride " << x.dram_stride;
            break;
        }
        case Opcode::kStore: {
            const Transfer& x = program.xfer(in);
            os << " dram[0x" << std::hex << x.dram_addr << "] <- spad[0x" << x.sram_addr << std::dec
               << "] " << x.rows << "x" << x.row_bytes << "B stride " << x.dram_stride;
            break;
        }
        case Opcode::kCompute: {
            const Compute& c = program.comp(in);
            os << " m[" << c.m0 << "+" << c.m << "] k[" << c.k0 << "+" << c.k << "] n[" << c.n0
               << "+" << c.n << "] a=slab[0x" << std::hex << c.slab_addr << std::dec << " rows "
               << c.slab_row0 << "+" << c.slab_rows << "] w=spad[0x" << std::hex << c.w_addr
               << "] acc[0x" << c.acc_addr << std::dec << "]";
            if (c.w_transposed) os << "^T";
            if (c.w_transposed) os << " (W^T)";
            if (c.accumulate) {
                os << " += A*W";
            } else {
                os << " = bias[0x" << std::hex << c.bias_addr << std::dec << "] + A*W";
            }
            break;
        }
        case Opcode::kVector: {
            const Vector& v = program.vec(in);
            os << ' ' << to_string(v.op);
            if (v.op == VectorOp::kMaxPool || v.op == VectorOp::kAvgPool ||
                v.op == VectorOp::kDepthwise) {
                os << " m[" << v.m0 << "+" << v.m << "] ch[" << v.n0 << "+" << v.n << "] slab[0x"
                   << std::hex << v.slab_addr << std::dec << " rows " << v.slab_row0 << "+"
                   << v.slab_rows << "] -> acc[0x" << std::hex << v.acc_addr << std::dec << "]";
            } else {
                os << ' ' << v.rows << "x" << v.len << " x=spad[0x" << std::hex << v.x_addr;
                if (v.op == VectorOp::kAdd || v.op == VectorOp::kMul) {
                    os << "] y=spad[0x" << v.y_addr << "] -> acc[0x" << v.acc_addr;
                } else {
                    os << "] -> spad[0x" << v.out_addr;
                }
                os << std::dec << "]";
            }
            break;
        }
        case Opcode::kPostproc: {
            const Postproc& p = program.post(in);
            os << " spad[0x" << std::hex << p.out_addr << "] <- requant(acc[0x" << p.acc_addr
               << std::dec << "]) " << p.m << "x" << p.n << " ch " << p.n0;
            if (p.out_stride != 0) os << " stride " << p.out_stride;
            break;
        }
        case Opcode::kSync:
            if (in.payload == kSyncLayerEnd) os << " layer end (no barrier)";
            break;
        case Opcode::kWait:
            os << " image " << in.payload << " from the previous core";
            break;
        case Opcode::kSignal:
            os << " image " << in.payload << " to the next core";
            break;
    }
    os << deps_string(in.deps);
    return os.str();
}

std::string to_asm(const Program& program) {
    std::ostringstream os;
    os << "; npusim program: " << program.layers.size() << " layers, " << program.instrs.size()
       << " instructions\n";
    for (size_t i = 0; i < program.layers.size(); ++i) {
        const LayerDesc& l = program.layers[i];
        os << "; L" << i << " " << l.name << ": " << l.shape << "\n;     mapping: " << l.mapping
           << "\n";
    }
    for (const Instr& in : program.instrs) os << to_asm(program, in) << '\n';
    return os.str();
}

namespace {
// Appends a zero payload; returns its index.
template <class T>
uint32_t push_default(std::vector<T>& payloads) {
    payloads.emplace_back();
    return static_cast<uint32_t>(payloads.size() - 1);
}
}  // namespace

Instr& Program::append(Opcode op, uint16_t layer) {
    Instr in;
    in.id = static_cast<uint32_t>(instrs.size());
    in.op = op;
    in.layer = layer;
    switch (op) {
        case Opcode::kLoad:
        case Opcode::kStore:
            in.payload = push_default(transfers);
            break;
        case Opcode::kCompute:
            in.payload = push_default(computes);
            break;
        case Opcode::kVector:
            in.payload = push_default(vectors);
            break;
        case Opcode::kPostproc:
            in.payload = push_default(posts);
            break;
        case Opcode::kSync:
        case Opcode::kWait:  // the payload is the image (set by the caller)
        case Opcode::kSignal:
            break;
    }
    instrs.push_back(in);
    return instrs.back();
}

void Program::reserve(const InstrCounts& counts) {
    instrs.reserve(instrs.size() + counts.total());
    transfers.reserve(transfers.size() + counts.transfers);
    computes.reserve(computes.size() + counts.computes);
    vectors.reserve(vectors.size() + counts.vectors);
    posts.reserve(posts.size() + counts.posts);
}

InstrCounts Program::counts() const {
    InstrCounts c;
    for (const Instr& in : instrs) ++c.of(in.op);
    return c;
}

uint64_t& InstrCounts::of(Opcode op) {
    switch (op) {
        case Opcode::kLoad:
        case Opcode::kStore:
            return transfers;
        case Opcode::kCompute:
            return computes;
        case Opcode::kVector:
            return vectors;
        case Opcode::kPostproc:
            return posts;
        case Opcode::kSync:
        case Opcode::kWait:
        case Opcode::kSignal:
            break;
    }
    return syncs;
}

void Program::bad_payload(const Instr& in, const char* kind) const {
    throw std::logic_error("isa: instruction " + std::to_string(in.id) + " (" + to_string(in.op) +
                           ", payload " + std::to_string(in.payload) + ") has no " + kind +
                           " payload");
}

}  // namespace npu::isa
