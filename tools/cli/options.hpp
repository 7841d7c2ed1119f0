// The command line of `httpxx`: HTTPX's CLI options (httpx/_main.py, 0.28) in one table, from
// which the parser, `--help`, the bash completion and the man page are all made.
#pragma once

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httpxx_cli {

using Pairs = std::vector<std::pair<std::string, std::string>>;

/// The parsed command line, HTTPX's defaults.
struct Arguments {
    std::string url;
    std::optional<std::string> method;
    Pairs params;
    std::optional<std::string> content;
    Pairs data;
    Pairs files;  // field name, path
    std::optional<std::string> json;
    Pairs headers;
    Pairs cookies;
    Pairs auth;  // at most one (USER, PASS); PASS "-" prompts
    std::optional<std::string> proxy;
    double timeout = 5.0;
    bool follow_redirects = false;
    bool no_verify = false;
    bool http2 = false;
    std::optional<std::string> download;
    bool resume = false;  // --continue, beyond HTTPX
    bool verbose = false;
};

/// How bash completes an option's values.
enum class ValueKind { none, text, method, file, url };

/// One row of the option table.
struct OptionSpec {
    std::string_view short_name;  // "-m", or "" when there is none
    std::string_view long_name;   // "--method"
    std::string_view metavar;     // "METHOD", "<NAME VALUE> ...", "" for a flag
    std::string_view help;
    int values;      // 0 (flag), 1, or 2 (a NAME VALUE pair)
    ValueKind kind;  // of the last value (the first of a pair is a name)
};

/// Every option, in HTTPX's order (--continue after --download), --help last.
std::span<const OptionSpec> option_table();

/// What the command line asks for.
enum class Action { request, help, bash_completion, man_page };

struct ParseResult {
    Action action = Action::request;
    Arguments arguments;
};

/// A command line that cannot be run: printed as `Error: <message>`, exit status 2 (click's
/// usage error).
struct UsageError {
    std::string message;
};

/// Parses argv. Throws UsageError for an unknown option, a missing or extra value, a bad number,
/// a missing URL, invalid JSON for -j, a file for -f that cannot be read, or --continue without
/// --download. (The hidden options --generate-bash-completion and --generate-man-page print
/// the generated files at build time.)
ParseResult parse_command_line(int argc, const char* const* argv);

/// HTTPX's help (a title, the usage line, the table of options).
void print_help(std::ostream& out, bool colour);

/// The bash completion script (`complete -F _httpxx httpxx`).
void print_bash_completion(std::ostream& out);

/// The man page, httpxx(1), in roff.
void print_man_page(std::ostream& out);

}  // namespace httpxx_cli
