#include "sim/config/dram_config.h"

#include <cmath>

#include "sim/config/hw_config.h"
#include "sim/core/units.h"

namespace npu::cfg {

const char* to_string(DramModel m) { return m == DramModel::kBanked ? "banked" : "simple"; }

const char* to_string(PagePolicy p) { return p == PagePolicy::kClosed ? "closed" : "open"; }

const char* to_string(RefreshMode r) {
    switch (r) {
        case RefreshMode::kPerBank:
            return "per_bank";
        case RefreshMode::kOff:
            return "off";
        default:
            return "all_bank";
    }
}

std::optional<std::array<AddressField, kAddressFieldCount>> parse_dram_mapping(
    std::string_view text) {
    struct Token {
        const char* text;
        AddressField field;
    };
    static constexpr Token kTokens[] = {
        {"Ro", AddressField::kRow},       {"Ba", AddressField::kBank},
        {"Bg", AddressField::kBankGroup}, {"Ra", AddressField::kRank},
        {"Co", AddressField::kColumn},    {"Ch", AddressField::kChannel},
    };
    if (text.size() != 2 * kAddressFieldCount) return std::nullopt;
    std::array<AddressField, kAddressFieldCount> out{};
    std::array<bool, kAddressFieldCount> seen{};
    for (size_t i = 0; i < kAddressFieldCount; ++i) {
        const std::string_view pair = text.substr(2 * i, 2);
        bool known = false;
        for (const Token& t : kTokens) {
            if (pair != t.text) continue;
            const auto index = static_cast<size_t>(t.field);
            if (seen[index]) return std::nullopt;
            seen[index] = true;
            out[i] = t.field;
            known = true;
        }
        if (!known) return std::nullopt;
    }
    return out;
}

uint64_t DramConfig::capacity_bytes() const {
    return static_cast<uint64_t>(channels) * static_cast<uint64_t>(ranks) *
           static_cast<uint64_t>(banks_per_rank()) * static_cast<uint64_t>(rows) *
           static_cast<uint64_t>(columns) * static_cast<uint64_t>(bus_width_bits / 8);
}

double DramConfig::peak_bytes_per_s() const {
    return static_cast<double>(channels) * static_cast<double>(atom_bytes()) * clock_hz /
           static_cast<double>(timing.tBURST);
}

DramConfig DramConfig::with_device_defaults() const {
    DramConfig out;
    out.model = model;
    out.bandwidth_bytes_per_s = bandwidth_bytes_per_s;
    out.latency_cycles = latency_cycles;
    out.size_bytes = size_bytes;
    return out;
}

bool is_dram_preset_key(std::string_view key) {
    return key != "model" && key != "preset" && key != "bandwidth" && key != "latency_cycles" &&
           key != "size";
}

namespace {

bool power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::string num(int64_t v) { return std::to_string(v); }

class Rules {
  public:
    explicit Rules(const HwConfig& c) : m_c(c), m_d(c.dram), m_t(c.dram.timing) {}

    std::vector<DramProblem> run() {
        device();
        timing();
        queues();
        power();
        if (m_d.model == DramModel::kBanked) system();
        return std::move(m_out);
    }

  private:
    void add(std::vector<std::string> keys, std::string message) {
        m_out.push_back({std::move(keys), std::move(message)});
    }

    void pow2(const char* key, int v, const char* why) {
        if (!power_of_two(static_cast<uint64_t>(v))) {
            add({key}, std::string("expected a power of two (") + why + "), found " + num(v));
        }
    }

    void device() {
        const char* bits = "its address bits are decoded by dram.mapping";
        pow2("dram.ranks", m_d.ranks, bits);
        pow2("dram.bank_groups", m_d.bank_groups, bits);
        pow2("dram.banks_per_group", m_d.banks_per_group, bits);
        pow2("dram.rows", m_d.rows, bits);
        pow2("dram.columns", m_d.columns, bits);
        pow2("dram.burst_length", m_d.burst_length, "a burst is an aligned block of columns");
        pow2("dram.bus_width", m_d.bus_width_bits, "a whole number of bytes per beat");
        if (m_d.bus_width_bits % m_d.device_width_bits != 0) {
            add({"dram.bus_width", "dram.device_width"},
                "expected a multiple of dram.device_width (" + num(m_d.device_width_bits) +
                    ") so a rank is a whole number of devices, found " + num(m_d.bus_width_bits));
        }
        if (power_of_two(static_cast<uint64_t>(m_d.columns)) &&
            power_of_two(static_cast<uint64_t>(m_d.burst_length)) &&
            m_d.columns < m_d.burst_length) {
            add({"dram.columns", "dram.burst_length"},
                "expected >= dram.burst_length (" + num(m_d.burst_length) +
                    ") so a row holds whole bursts, found " + num(m_d.columns));
        }
        if (!parse_dram_mapping(m_d.mapping)) {
            add({"dram.mapping"},
                "expected each of Ro, Ba, Bg, Ra, Co, Ch exactly once, most significant first "
                "(e.g. RoBaRaCoBgCh), found '" +
                    m_d.mapping + "'");
        }
    }

    // `key` >= `sum of terms`, with the arithmetic in the message.
    void at_least(const char* key, int value, std::vector<std::pair<const char*, int>> terms,
                  const char* why) {
        int64_t need = 0;
        std::string names;
        std::string values;
        std::vector<std::string> keys{std::string("dram.timing.") + key};
        for (const auto& [name, v] : terms) {
            need += v;
            names += (names.empty() ? "" : " + ") + std::string(name);
            values += (values.empty() ? "" : " + ") + num(v);
            keys.push_back(std::string("dram.timing.") + name);
        }
        if (value >= need) return;
        std::string shown =
            terms.size() > 1 ? names + " = " + values + " = " + num(need) : names + " = " + values;
        add(std::move(keys), "expected >= " + shown + " " + why + ", found " + num(value));
    }

    void timing() {
        at_least("tRC", m_t.tRC, {{"tRAS", m_t.tRAS}, {"tRP", m_t.tRP}},
                 "(a row cycle is an activation plus a precharge)");
        at_least("tRAS", m_t.tRAS, {{"tRCD", m_t.tRCD}},
                 "(a row stays open at least until it can be read)");
        at_least("tRRD_L", m_t.tRRD_L, {{"tRRD_S", m_t.tRRD_S}},
                 "(the same bank group is never faster than another)");
        at_least("tCCD_L", m_t.tCCD_L, {{"tCCD_S", m_t.tCCD_S}},
                 "(the same bank group is never faster than another)");
        at_least("tWTR_L", m_t.tWTR_L, {{"tWTR_S", m_t.tWTR_S}},
                 "(the same bank group is never faster than another)");
        at_least("tCCD_S", m_t.tCCD_S, {{"tBURST", m_t.tBURST}},
                 "(two bursts cannot overlap on the data bus)");
        if (m_d.refresh == RefreshMode::kAllBank && m_t.tREFI <= m_t.tRFC) {
            add({"dram.timing.tREFI", "dram.timing.tRFC"},
                "expected > tRFC (" + num(m_t.tRFC) +
                    ") so refresh leaves time for accesses, found " + num(m_t.tREFI));
        }
        if (m_d.refresh == RefreshMode::kPerBank) {
            for (auto [key, v] : {std::pair<const char*, int>{"dram.timing.tREFIpb", m_t.tREFIpb},
                                  {"dram.timing.tRFCpb", m_t.tRFCpb}}) {
                if (v < 1) {
                    add({key, "dram.refresh"},
                        "expected >= 1 with dram.refresh per_bank (the device has no per-bank "
                        "refresh otherwise), found " +
                            num(v));
                }
            }
        }
    }

    void queues() {
        if (m_d.write_high > m_d.write_queue) {
            add({"dram.write_high", "dram.write_queue"}, "expected <= dram.write_queue (" +
                                                             num(m_d.write_queue) + "), found " +
                                                             num(m_d.write_high));
        }
        if (m_d.write_low >= m_d.write_high) {
            add({"dram.write_low", "dram.write_high"},
                "expected < dram.write_high (" + num(m_d.write_high) +
                    ") so draining stops before it starts again, found " + num(m_d.write_low));
        }
    }

    void power() {
        const DramPower& p = m_d.power;
        if (p.vdd <= 0) return;
        auto not_below = [&](const char* key, double v, const char* what) {
            if (v < p.idd3n) {
                add({std::string("dram.power.") + key, "dram.power.idd3n"},
                    "expected >= idd3n (" + units::format_double(p.idd3n) + " mA: " + what +
                        " draws at least the active standby current), found " +
                        units::format_double(v));
            }
        };
        not_below("idd4r", p.idd4r, "a read burst");
        not_below("idd4w", p.idd4w, "a write burst");
        if (m_d.refresh == RefreshMode::kAllBank) not_below("idd5b", p.idd5b, "refresh");
        if (m_d.refresh == RefreshMode::kPerBank) not_below("idd5pb", p.idd5pb, "refresh");
        // Micron's activate energy: IDD0 * tRC - (IDD3N * tRAS + IDD2N * (tRC - tRAS)) >= 0.
        const double act = p.idd0 * m_t.tRC -
                           (p.idd3n * m_t.tRAS + p.idd2n * static_cast<double>(m_t.tRC - m_t.tRAS));
        if (act < 0) {
            add({"dram.power.idd0", "dram.power.idd2n", "dram.power.idd3n"},
                "expected idd0 * tRC >= idd3n * tRAS + idd2n * (tRC - tRAS) (an activation "
                "costs energy), found " +
                    units::format_double(p.idd0) + " * " + num(m_t.tRC) + " < " +
                    units::format_double(p.idd3n) + " * " + num(m_t.tRAS) + " + " +
                    units::format_double(p.idd2n) + " * " + num(m_t.tRC - m_t.tRAS));
        }
    }

    void system() {
        if (!power_of_two(static_cast<uint64_t>(m_d.channels))) {
            add({"dram.channels", "dram.model"},
                "expected a power of two with dram.model banked (the channel is decoded from "
                "address bits), found " +
                    num(m_d.channels));
        }
        const bool decodable = power_of_two(static_cast<uint64_t>(m_d.channels)) &&
                               power_of_two(static_cast<uint64_t>(m_d.ranks)) &&
                               power_of_two(static_cast<uint64_t>(m_d.bank_groups)) &&
                               power_of_two(static_cast<uint64_t>(m_d.banks_per_group)) &&
                               power_of_two(static_cast<uint64_t>(m_d.rows)) &&
                               power_of_two(static_cast<uint64_t>(m_d.columns)) &&
                               power_of_two(static_cast<uint64_t>(m_d.bus_width_bits));
        if (decodable && m_d.size_bytes > m_d.capacity_bytes()) {
            add({"dram.size", "dram.model"},
                "expected <= the banked DRAM's capacity (channels * ranks * bank_groups * "
                "banks_per_group * rows * columns * bus_width / 8 = " +
                    num(m_d.channels) + " * " + num(m_d.ranks) + " * " + num(m_d.bank_groups) +
                    " * " + num(m_d.banks_per_group) + " * " + num(m_d.rows) + " * " +
                    num(m_d.columns) + " * " + num(m_d.bus_width_bits / 8) + " = " +
                    units::format_size(m_d.capacity_bytes()) + "), found " +
                    units::format_size(m_d.size_bytes));
        }
        for (auto [key, hz] : {std::pair<const char*, double>{"dram.clock", m_d.clock_hz},
                               {"clock", m_c.clock_hz}}) {
            if (hz != std::floor(hz)) {
                add({key, "dram.model"},
                    "expected a whole number of Hz with dram.model banked (NPU and memory cycles "
                    "convert exactly), found " +
                        units::format_frequency(hz));
            }
        }
    }

    const HwConfig& m_c;
    const DramConfig& m_d;
    const DramTiming& m_t;
    std::vector<DramProblem> m_out;
};

}  // namespace

std::vector<DramProblem> dram_problems(const HwConfig& config) { return Rules(config).run(); }

}  // namespace npu::cfg
