// What the CLI needs to know about its terminal: whether to colour, its width, and a password
// prompt without echo.
#pragma once

#include <cstdio>
#include <string>

namespace httpxx_cli {

/// Whether output to `stream` may carry colours: a terminal, and NO_COLOR unset or empty
/// (https://no-color.org), as rich decides for HTTPX's CLI.
bool colours_allowed(std::FILE* stream);

/// Whether `stream` is a terminal (the progress bar redraws only there).
bool is_terminal(std::FILE* stream);

/// The terminal's width in columns (ioctl TIOCGWINSZ), else $COLUMNS, else 80.
int terminal_width(std::FILE* stream);

/// Asks for a password on the controlling terminal with echo off (click's
/// `prompt("Password", hide_input=True)`); without a terminal, reads a line of stdin.
/// Throws std::runtime_error when there is nothing to read.
std::string prompt_password(const std::string& prompt);

}  // namespace httpxx_cli
