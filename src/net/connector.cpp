#include "net/connector.hpp"

namespace httpx::net {

namespace {

class SocketConnector final : public Connector {
public:
    explicit SocketConnector(ConnectSettings settings) : settings_(std::move(settings)) {}

    awaitable<std::unique_ptr<NetworkStream>> connect(
        const Destination& to, std::optional<std::chrono::duration<double>> timeout) override {
        return open_stream(to, settings_, timeout);
    }

private:
    ConnectSettings settings_;
};

}  // namespace

std::shared_ptr<Connector> make_socket_connector(ConnectSettings settings) {
    return std::make_shared<SocketConnector>(std::move(settings));
}

}  // namespace httpx::net
