#include "models/engines/token_queue.h"

#include "models/process.h"

namespace npu::model {

void TokenQueue::push(DoneCycle ready) {
    m_tokens.push_back(ready);
    notify_after(m_pushed, 0);
}

void TokenQueue::pop() {
    while (m_tokens.empty()) sc_core::wait(m_pushed);
    const DoneCycle ready = m_tokens.front();
    m_tokens.pop_front();
    wait_until(ready.wait_known());
}

void pop_timed(TokenQueue& q, stats::Stat& stall, size_t layer) {
    const uint64_t before = now_cycles();
    q.pop();
    stall.add(layer, now_cycles() - before);
}

}  // namespace npu::model
