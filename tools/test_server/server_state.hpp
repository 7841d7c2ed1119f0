// What the test server's thread shares with TestServer: the io_context, the listener, the TLS
// context, and the counters the tests read.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "test_server.hpp"

namespace httpx::testing {

class Connection;

namespace detail {

// Everything the server thread shares; the fields marked "io thread" are only touched there.
struct ServerState {
    TestServer::Options options;
    std::string alpn_protocols;  // wire format, in our order of preference
    std::optional<boost::asio::io_context> io;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor;
    std::optional<boost::asio::ssl::context> tls;
    std::thread thread;
    std::uint16_t port = 0;
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> served{0};
    std::atomic<std::uint64_t> open{0};
    std::unordered_set<Connection*> connections;  // io thread
    bool stopping = false;                        // io thread
    std::mutex mutex;
    std::condition_variable finished_cv;
    bool finished = false;  // guarded by mutex: io_context::run() has returned

    // Per-connection counters, read by the tests from their own thread.
    mutable std::mutex stats_mutex;
    std::vector<TestServer::ConnectionStats> stats;  // guarded by stats_mutex; index = id - 1

    // A new connection's id (1-based, in accept order).
    std::uint64_t add_connection() {
        std::lock_guard lock(stats_mutex);
        TestServer::ConnectionStats entry;
        entry.id = stats.size() + 1;
        entry.protocol = "HTTP/1.1";
        entry.open = true;
        stats.push_back(entry);
        return entry.id;
    }
    template <class Update>
    void update(std::uint64_t id, Update&& update) {
        std::lock_guard lock(stats_mutex);
        if (id >= 1 && id <= stats.size()) update(stats[id - 1]);
    }
    void count_request(std::uint64_t id) {
        ++served;
        update(id, [](TestServer::ConnectionStats& entry) { ++entry.requests; });
    }
    void note_open_streams(std::uint64_t id, std::uint64_t open_streams) {
        update(id, [open_streams](TestServer::ConnectionStats& entry) {
            entry.open_streams = open_streams;
            entry.peak_streams = std::max(entry.peak_streams, open_streams);
        });
    }
};

}  // namespace detail
}  // namespace httpx::testing
