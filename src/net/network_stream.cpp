#include "net/network_stream.hpp"

namespace httpx::net {

NetworkStream::~NetworkStream() = default;

}  // namespace httpx::net
