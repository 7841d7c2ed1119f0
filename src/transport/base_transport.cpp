// AsyncBaseTransport's defaults: what a transport that holds no resources inherits.
#include "httpx/transport.hpp"

namespace httpx {

AsyncBaseTransport::~AsyncBaseTransport() = default;

awaitable<void> AsyncBaseTransport::aclose() {
    co_return;
}

}  // namespace httpx
