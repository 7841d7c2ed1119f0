// httpxx: HTTPX's command-line client (`httpx URL [OPTIONS]`, httpx/_main.py) on the sync
// httpx::Client. Exit status: 0 for a 2xx response, 1 for an error status or a failed request
// (printed as `ExceptionName: message`), 2 for a command line that cannot be run.
#include <httpx/httpx.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include "download.hpp"
#include "exchange_output.hpp"
#include "options.hpp"
#include "printer.hpp"
#include "terminal.hpp"

namespace httpxx_cli {
namespace {

// click's dict(pairs): the last value of a repeated name, at the name's first position.
std::vector<std::pair<std::string, std::string>> as_dict(const Pairs& pairs) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& pair : pairs) {
        auto same = [&](const auto& p) { return p.first == pair.first; };
        if (auto it = std::find_if(out.begin(), out.end(), same); it != out.end()) {
            it->second = pair.second;
        } else {
            out.push_back(pair);
        }
    }
    return out;
}

httpx::ClientOptions client_options(const Arguments& args) {
    httpx::ClientOptions options;
    options.timeout = httpx::Timeout(std::chrono::duration<double>(args.timeout));
    options.verify = !args.no_verify;
    options.http2 = args.http2;
    if (args.proxy) {
        try {
            options.proxy = httpx::Proxy(*args.proxy);
        } catch (const std::exception& e) {
            throw UsageError{std::string("Invalid value for '--proxy': ") + e.what()};
        }
    }
    return options;
}

httpx::RequestOptions request_options(const Arguments& args) {
    httpx::RequestOptions options;
    if (args.content) options.content = httpx::AsyncByteStream(*args.content);
    for (auto& [name, value] : as_dict(args.data)) options.data.emplace_back(name, value);
    for (const auto& [name, path] : args.files) {
        options.files.emplace_back(name, httpx::File::from_path(path));
    }
    if (args.json) options.json = nlohmann::ordered_json::parse(*args.json);
    if (!args.params.empty()) options.params = httpx::QueryParams(args.params);
    for (const auto& [name, value] : args.headers) options.headers.add(name, value);
    for (const auto& [name, value] : as_dict(args.cookies)) options.cookies.set(name, value);
    if (!args.auth.empty()) {
        auto [user, password] = args.auth.back();
        if (password == "-") password = prompt_password("Password: ");
        options.auth = httpx::AuthOption(user, password);
    }
    options.follow_redirects = args.follow_redirects;
    return options;
}

std::string method_of(const Arguments& args) {
    if (args.method) return *args.method;
    const bool body = (args.content && !args.content->empty()) || !args.data.empty() ||
                      !args.files.empty() || (args.json && !args.json->empty());
    return body ? "POST" : "GET";
}

// --download: the request, then the body to disk. A resumed download that the server cannot
// resume starts over with a request for the whole file.
int download(httpx::Client& client, const std::string& method, const Arguments& args,
             httpx::RequestOptions options, Printer& printer) {
    Download file(*args.download, args.resume);
    for (int attempt = 0; attempt < 2; ++attempt) {
        httpx::RequestOptions attempt_options = options;
        for (const auto& [name, value] : file.resume_headers()) {
            attempt_options.headers.set(name, value);
        }
        httpx::Response response = client.stream(method, args.url, attempt_options);
        bool append = false;
        if (file.offset() > 0) {
            switch (classify_range_answer(response, file.offset())) {
                case RangeAnswer::resume:
                    append = true;
                    break;
                case RangeAnswer::start_over:
                    break;
                case RangeAnswer::complete:
                    std::printf("%s is already complete (%llu bytes).\n", args.download->c_str(),
                                static_cast<unsigned long long>(file.offset()));
                    return 0;
                case RangeAnswer::restart_whole:
                    file.discard_partial();
                    continue;
                case RangeAnswer::error:
                    if (response.status_code() == 206) {
                        printer.request_error(httpx::RemoteProtocolError(
                            "the server sent another range than bytes=" +
                            std::to_string(file.offset()) + "- (Content-Range: " +
                            response.headers().get("Content-Range").value_or("none") + ")"));
                    }
                    return 1;
            }
        }
        if (!response.is_success()) return 1;  // as HTTPX: the head is printed, no body saved
        printer.blank_line();
        file.save(response, append, stdout, printer.style());
        return 0;
    }
    return 1;
}

int run(const Arguments& args) {
    Printer printer(stdout, colours_allowed(stdout));
    httpx::ClientOptions client_opts = client_options(args);
    httpx::RequestOptions request_opts = request_options(args);
    print_exchanges(client_opts, request_opts, printer, args.verbose);
    const std::string method = method_of(args);
    try {
        httpx::Client client(std::move(client_opts));
        if (args.download) return download(client, method, args, request_opts, printer);
        httpx::Response response = client.stream(method, args.url, request_opts);
        response.read();
        printer.body(response);
        return response.is_success() ? 0 : 1;
    } catch (const httpx::RequestError& e) {
        printer.flush();
        printer.request_error(e);
        return 1;
    }
}

}  // namespace
}  // namespace httpxx_cli

int main(int argc, char** argv) {
    using namespace httpxx_cli;
    try {
        const ParseResult parsed = parse_command_line(argc, argv);
        switch (parsed.action) {
            case Action::help:
                print_help(std::cout, colours_allowed(stdout));
                return 0;
            case Action::bash_completion:
                print_bash_completion(std::cout);
                return 0;
            case Action::man_page:
                print_man_page(std::cout);
                return 0;
            case Action::request:
                break;
        }
        const int status = run(parsed.arguments);
        std::fflush(stdout);
        return status;
    } catch (const UsageError& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "Error: %s\n", e.message.c_str());
        return 2;
    } catch (const std::exception& e) {
        // Not a request failure (those are RequestErrors): a bug or a system error.
        std::fflush(stdout);
        std::fprintf(stderr, "%s: %s\n", exception_name(e).c_str(), e.what());
        return 1;
    }
}
