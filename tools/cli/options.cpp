#include "options.hpp"

#include <fmt/color.h>
#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <httpx/exceptions.hpp>
#include <httpx/url.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <variant>

#ifndef HTTPXX_VERSION
#define HTTPXX_VERSION "unknown"
#endif

namespace httpxx_cli {
namespace {

// The help texts are HTTPX's (print_help() in httpx/_main.py), with --proxy as in 0.28.
constexpr OptionSpec kOptions[] = {
    {"-m", "--method", "METHOD",
     "Request method, such as GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD. [Default: GET, or "
     "POST if a request body is included]",
     1, ValueKind::method},
    {"-p", "--params", "<NAME VALUE> ...", "Query parameters to include in the request URL.", 2,
     ValueKind::text},
    {"-c", "--content", "TEXT", "Byte content to include in the request body.", 1, ValueKind::text},
    {"-d", "--data", "<NAME VALUE> ...", "Form data to include in the request body.", 2,
     ValueKind::text},
    {"-f", "--files", "<NAME FILENAME> ...", "Form files to include in the request body.", 2,
     ValueKind::file},
    {"-j", "--json", "TEXT", "JSON data to include in the request body.", 1, ValueKind::text},
    {"-h", "--headers", "<NAME VALUE> ...", "Include additional HTTP headers in the request.", 2,
     ValueKind::text},
    {"", "--cookies", "<NAME VALUE> ...", "Cookies to include in the request.", 2, ValueKind::text},
    {"", "--auth", "<USER PASS>",
     "Username and password to include in the request. Specify '-' for the password to use a "
     "password prompt. Note that using --verbose/-v will expose the Authorization header, "
     "including the password encoding in a trivially reversible format.",
     2, ValueKind::text},
    {"", "--proxy", "URL",
     "Send the request via a proxy. Should be the URL giving the proxy address.", 1,
     ValueKind::url},
    {"", "--timeout", "FLOAT",
     "Timeout value to use for network operations, such as establishing the connection, "
     "reading some data, etc... [Default: 5.0]",
     1, ValueKind::text},
    {"", "--follow-redirects", "", "Automatically follow redirects.", 0, ValueKind::none},
    {"", "--no-verify", "", "Disable SSL verification.", 0, ValueKind::none},
    {"", "--http2", "", "Send the request using HTTP/2, if the remote server supports it.", 0,
     ValueKind::none},
    {"", "--download", "FILE", "Save the response content as a file, rather than displaying it.", 1,
     ValueKind::file},
    {"", "--continue", "",
     "With --download: resume a partial file with a Range request (httpxx only).", 0,
     ValueKind::none},
    {"-v", "--verbose", "", "Verbose output. Show request as well as response.", 0,
     ValueKind::none},
    {"", "--help", "", "Show this message and exit.", 0, ValueKind::none},
};

// Where each option's values go, by long name.
using Target = std::variant<std::optional<std::string> Arguments::*, Pairs Arguments::*,
                            bool Arguments::*, double Arguments::*>;

Target target_of(std::string_view long_name) {
    if (long_name == "--method") return &Arguments::method;
    if (long_name == "--params") return &Arguments::params;
    if (long_name == "--content") return &Arguments::content;
    if (long_name == "--data") return &Arguments::data;
    if (long_name == "--files") return &Arguments::files;
    if (long_name == "--json") return &Arguments::json;
    if (long_name == "--headers") return &Arguments::headers;
    if (long_name == "--cookies") return &Arguments::cookies;
    if (long_name == "--auth") return &Arguments::auth;
    if (long_name == "--proxy") return &Arguments::proxy;
    if (long_name == "--timeout") return &Arguments::timeout;
    if (long_name == "--follow-redirects") return &Arguments::follow_redirects;
    if (long_name == "--no-verify") return &Arguments::no_verify;
    if (long_name == "--http2") return &Arguments::http2;
    if (long_name == "--download") return &Arguments::download;
    if (long_name == "--continue") return &Arguments::resume;
    if (long_name == "--verbose") return &Arguments::verbose;
    throw std::logic_error("option without a target: " + std::string(long_name));
}

std::string cli11_names(const OptionSpec& spec) {
    return spec.short_name.empty() ? std::string(spec.long_name)
                                   : fmt::format("{},{}", spec.short_name, spec.long_name);
}

// click's way of naming an option in an error: '--json' / '-j'.
std::string quoted_names(const OptionSpec& spec) {
    return spec.short_name.empty() ? fmt::format("'{}'", spec.long_name)
                                   : fmt::format("'{}' / '{}'", spec.long_name, spec.short_name);
}

const OptionSpec& spec_of(std::string_view long_name) {
    for (const OptionSpec& spec : kOptions) {
        if (spec.long_name == long_name) return spec;
    }
    throw std::logic_error("no such option: " + std::string(long_name));
}

UsageError invalid_value(std::string_view long_name, std::string_view why) {
    return {fmt::format("Invalid value for {}: {}", quoted_names(spec_of(long_name)), why)};
}

void add_option(CLI::App& app, const OptionSpec& spec, Arguments& args) {
    const std::string names = cli11_names(spec);
    std::visit(
        [&](auto member) {
            using Member = decltype(member);
            if constexpr (std::is_same_v<Member, bool Arguments::*>) {
                app.add_flag(names, args.*member);
            } else if constexpr (std::is_same_v<Member, std::optional<std::string> Arguments::*>) {
                app.add_option_function<std::string>(
                    names, [&args, member](const std::string& value) { args.*member = value; });
            } else if constexpr (std::is_same_v<Member, Pairs Arguments::*>) {
                // One NAME VALUE pair per occurrence, repeatable (click's multiple=True); a
                // container option would otherwise take the URL after it as more values.
                app.add_option(names, args.*member)
                    ->expected(1)
                    ->allow_extra_args(false)
                    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
            } else {
                app.add_option(names, args.*member);
            }
        },
        target_of(spec.long_name));
}

void validate(Arguments& args) {
    try {
        httpx::URL url(args.url);
    } catch (const std::exception& e) {
        throw UsageError{fmt::format("Invalid value for 'URL': {}", e.what())};
    }
    if (args.json && !nlohmann::ordered_json::accept(*args.json)) {
        throw invalid_value("--json", "Not valid JSON");
    }
    for (const auto& [name, path] : args.files) {
        std::ifstream file(path, std::ios::binary);
        if (!file)
            throw invalid_value("--files", fmt::format("'{}': {}", path, std::strerror(errno)));
    }
    if (args.timeout < 0) throw invalid_value("--timeout", "must not be negative");
    if (args.resume && !args.download) {
        throw UsageError{"Option '--continue' needs '--download FILE'."};
    }
}

}  // namespace

std::span<const OptionSpec> option_table() {
    return kOptions;
}

ParseResult parse_command_line(int argc, const char* const* argv) {
    ParseResult result;
    Arguments& args = result.arguments;
    CLI::App app("httpxx", "httpxx");
    app.set_help_flag();  // -h is --headers, as in HTTPX; --help is ours below
    bool help = false, bash = false, man = false;
    for (const OptionSpec& spec : kOptions) {
        if (spec.long_name == "--help") {
            app.add_flag("--help", help);
        } else {
            add_option(app, spec, args);
        }
    }
    app.add_flag("--generate-bash-completion", bash)->group("");  // hidden: for the build
    app.add_flag("--generate-man-page", man)->group("");
    app.add_option("url", args.url);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ExtrasError& e) {
        // An unknown option, or a second URL: click's words for the first.
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            if (arg.starts_with("-") && arg.size() > 1 &&
                !app.get_option_no_throw(std::string(arg.substr(0, arg.find('='))))) {
                throw UsageError{fmt::format("No such option: {}", arg)};
            }
        }
        throw UsageError{e.what()};
    } catch (const CLI::ParseError& e) {
        throw UsageError{e.what()};
    }
    if (help) return {Action::help, {}};
    if (bash) return {Action::bash_completion, {}};
    if (man) return {Action::man_page, {}};
    if (args.url.empty()) throw UsageError{"Missing argument 'URL'."};
    validate(args);
    return result;
}

// ---- generated documents ----

namespace {

std::string left_column(const OptionSpec& spec) {
    std::string names = spec.short_name.empty()
                            ? std::string(spec.long_name)
                            : fmt::format("{}, {}", spec.short_name, spec.long_name);
    if (!spec.metavar.empty()) names += " " + std::string(spec.metavar);
    return names;
}

std::vector<std::string> wrap(std::string_view text, std::size_t width) {
    std::vector<std::string> lines(1);
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view word = text.substr(start, end - start);
        if (!lines.back().empty() && lines.back().size() + 1 + word.size() > width) {
            lines.emplace_back();
        }
        if (!lines.back().empty()) lines.back() += ' ';
        lines.back() += word;
        start = end + 1;
    }
    return lines;
}

// roff escapes: a backslash, a leading dot or quote, and '-' as a real hyphen-minus.
std::string roff(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else {
            out += c;
        }
    }
    if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
    return out;
}

}  // namespace

void print_help(std::ostream& out, bool colour) {
    auto bold = [&](std::string_view text) {
        return colour ? fmt::format(fmt::emphasis::bold, "{}", text) : std::string(text);
    };
    auto cyan = [&](std::string_view text) {
        return colour ? fmt::format(fmt::fg(fmt::terminal_color::cyan), "{}", text)
                      : std::string(text);
    };
    out << bold("httpxx") << " " << HTTPXX_VERSION << "\n\n"
        << "A next generation HTTP client: HTTPX's command line, in C++.\n\n"
        << "Usage: " << bold("httpxx") << " " << cyan("<URL> [OPTIONS]") << "\n\n";
    constexpr std::size_t kLeft = 32;
    for (const OptionSpec& spec : kOptions) {
        const std::string names = left_column(spec);
        const std::vector<std::string> lines = wrap(spec.help, 80 - kLeft - 2);
        std::string shown =
            bold(spec.short_name.empty() ? std::string(spec.long_name)
                                         : fmt::format("{}, {}", spec.short_name, spec.long_name));
        if (!spec.metavar.empty()) shown += " " + cyan(spec.metavar);
        out << " " << shown;
        if (names.size() + 1 > kLeft) {
            out << "\n" << std::string(kLeft + 1, ' ');
        } else {
            out << std::string(kLeft - names.size(), ' ');
        }
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (i > 0) out << std::string(kLeft + 1, ' ');
            out << lines[i] << "\n";
        }
        out << "\n";
    }
}

void print_bash_completion(std::ostream& out) {
    std::string options, arity, kinds;
    for (const OptionSpec& spec : kOptions) {
        for (std::string_view name : {spec.short_name, spec.long_name}) {
            if (name.empty()) continue;
            options += fmt::format(" {}", name);
            arity += fmt::format(" [{}]={}", name, spec.values);
            const char* kind = spec.kind == ValueKind::file     ? "file"
                               : spec.kind == ValueKind::method ? "method"
                               : spec.kind == ValueKind::url    ? "url"
                                                                : "text";
            kinds += fmt::format(" [{}]={}", name, kind);
        }
    }
    out << "# bash completion for httpxx. Generated from its option table by\n"
           "# `httpxx --generate-bash-completion`: do not edit.\n"
           "_httpxx() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]}\n"
           "    local -A arity=("
        << arity
        << " )\n"
           "    local -A kinds=("
        << kinds
        << " )\n"
           "    # Which option (if any) the word being completed is a value of, and how many of\n"
           "    # its values are still to come (1: the last one, whose kind is known).\n"
           "    local i option=\"\" left=0\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        if ((left > 0)); then\n"
           "            ((left--))\n"
           "        elif [[ -n ${arity[${COMP_WORDS[i]}]+set} ]]; then\n"
           "            option=${COMP_WORDS[i]} left=${arity[${COMP_WORDS[i]}]}\n"
           "        fi\n"
           "    done\n"
           "    if ((left > 0)); then\n"
           "        # The last value of an option has its kind; a pair's first value is a name.\n"
           "        if ((left == 1)); then\n"
           "            case ${kinds[$option]} in\n"
           "                file) COMPREPLY=($(compgen -f -- \"$cur\")); compopt -o filenames ;;\n"
           "                method) COMPREPLY=($(compgen -W 'GET POST PUT PATCH DELETE HEAD "
           "OPTIONS' -- \"${cur^^}\")) ;;\n"
           "                url) COMPREPLY=($(compgen -W 'http:// https:// socks5://' -- "
           "\"$cur\")); compopt -o nospace ;;\n"
           "                *) COMPREPLY=() ;;\n"
           "            esac\n"
           "        fi\n"
           "        return 0\n"
           "    fi\n"
           "    if [[ $cur == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W '"
        << options.substr(1)
        << "' -- \"$cur\"))\n"
           "    else\n"
           "        COMPREPLY=($(compgen -W 'http:// https://' -- \"$cur\")); compopt -o nospace\n"
           "    fi\n"
           "}\n"
           "complete -F _httpxx httpxx\n";
}

void print_man_page(std::ostream& out) {
    out << ".\\\" Generated from the option table by `httpxx --generate-man-page`: do not edit.\n"
        << ".TH HTTPXX 1 \"\" \"httpxx " << HTTPXX_VERSION << "\" \"User Commands\"\n"
        << ".SH NAME\n"
           "httpxx \\- a command\\-line HTTP client (HTTPX's CLI, in C++)\n"
           ".SH SYNOPSIS\n"
           ".B httpxx\n"
           ".I URL\n"
           "[\\fIOPTIONS\\fR]\n"
           ".SH DESCRIPTION\n"
           "Sends a request and displays the response, as HTTPX's command line does: the "
           "response head always, the connection and the request head with \\fB\\-v\\fR, then "
           "the body: JSON indented, text as text, binary content as its size. Colours are used "
           "on a terminal only, never when \\fBNO_COLOR\\fR is set.\n"
           ".SH OPTIONS\n";
    for (const OptionSpec& spec : kOptions) {
        out << ".TP\n";
        std::string line = spec.short_name.empty()
                               ? fmt::format("\\fB{}\\fR", roff(spec.long_name))
                               : fmt::format("\\fB{}\\fR, \\fB{}\\fR", roff(spec.short_name),
                                             roff(spec.long_name));
        if (!spec.metavar.empty()) line += fmt::format(" \\fI{}\\fR", roff(spec.metavar));
        out << line << "\n" << roff(spec.help) << "\n";
    }
    out << ".SH EXIT STATUS\n"
           ".TP\n0\nA successful (2xx) response.\n"
           ".TP\n1\nAn error status, or a failed request (printed as \\fIExceptionName\\fR: "
           "\\fImessage\\fR).\n"
           ".TP\n2\nA command line that cannot be run: an unknown option, an invalid URL, "
           "invalid JSON for \\fB\\-j\\fR, a file for \\fB\\-f\\fR that cannot be read.\n"
           ".SH ENVIRONMENT\n"
           ".TP\nNO_COLOR\nWhen set and not empty, no colours.\n"
           ".TP\nSSL_CERT_FILE, SSL_CERT_DIR\nThe CA certificates to verify servers with.\n"
           ".SH EXAMPLES\n"
           ".nf\n"
           "httpxx https://www.example.org/\n"
           "httpxx \\-v \\-\\-http2 https://www.example.org/\n"
           "httpxx \\-j '{\"name\": \"value\"}' https://httpbin.org/post\n"
           "httpxx \\-\\-download big.iso \\-\\-continue https://example.org/big.iso\n"
           ".fi\n"
           ".SH SEE ALSO\n"
           "\\fBcurl\\fR(1), HTTPX's command line: https://www.python\\-httpx.org/\n";
}

}  // namespace httpxx_cli
