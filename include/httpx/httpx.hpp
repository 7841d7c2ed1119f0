// httpxx: HTTPX for C++20. This header brings in the whole public API.
#pragma once

#include <httpx/async_client.hpp>
#include <httpx/async_generator.hpp>
#include <httpx/async_iterator.hpp>
#include <httpx/auth.hpp>
#include <httpx/byte_stream.hpp>
#include <httpx/client.hpp>
#include <httpx/config.hpp>
#include <httpx/cookies.hpp>
#include <httpx/event_hooks.hpp>
#include <httpx/exceptions.hpp>
#include <httpx/headers.hpp>
#include <httpx/http_transport.hpp>
#include <httpx/io_backend.hpp>
#include <httpx/iterator.hpp>
#include <httpx/network_stream.hpp>
#include <httpx/query_params.hpp>
#include <httpx/request.hpp>
#include <httpx/response.hpp>
#include <httpx/status_codes.hpp>
#include <httpx/text_encoding.hpp>
#include <httpx/trace.hpp>
#include <httpx/transport.hpp>
#include <httpx/types.hpp>
#include <httpx/url.hpp>
