// A server certificate as HTTPX's CLI shows it: the dict of Python's `SSLSocket.getpeercert()`
// (subject, issuer, version, serialNumber, notBefore, notAfter, subjectAltName, OCSP,
// caIssuers, crlDistributionPoints), one "*   key: value" line each.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace httpxx_cli {

/// The lines for a PEM certificate (without the "* Server certificate:" heading); empty when
/// the PEM cannot be read.
std::vector<std::string> certificate_lines(std::string_view pem);

}  // namespace httpxx_cli
