#include "sim/isa/isa.h"

#include <sstream>

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

std::string to_asm(const Instr& in) {
    std::ostringstream os;
    os << in.id << ": L" << in.layer << ' ' << to_string(in.op);
    switch (in.op) {
        case Opcode::kLoad:
            os << " spad[0x" << std::hex << in.xfer.sram_addr << "] <- dram[0x" << in.xfer.dram_addr
               << std::dec << "] " << in.xfer.rows << "x" << in.xfer.row_bytes << "B stride "
               << in.xfer.dram_stride;
            break;
        case Opcode::kStore:
            os << " dram[0x" << std::hex << in.xfer.dram_addr << "] <- spad[0x" << in.xfer.sram_addr
               << std::dec << "] " << in.xfer.rows << "x" << in.xfer.row_bytes << "B stride "
               << in.xfer.dram_stride;
            break;
        case Opcode::kCompute: {
            const Compute& c = in.comp;
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
            const Vector& v = in.vec;
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
        case Opcode::kPostproc:
            os << " spad[0x" << std::hex << in.post.out_addr << "] <- requant(acc[0x"
               << in.post.acc_addr << std::dec << "]) " << in.post.m << "x" << in.post.n << " ch "
               << in.post.n0;
            break;
        case Opcode::kSync:
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
    for (const Instr& in : program.instrs) os << to_asm(in) << '\n';
    return os.str();
}

}  // namespace npu::isa
