#include "certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "printer.hpp"

namespace httpxx_cli {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// Python names attributes by OBJ_obj2txt(no_name = 0): the long name, "commonName".
std::string object_name(const ASN1_OBJECT* object) {
    char buffer[128];
    const int n = OBJ_obj2txt(buffer, sizeof buffer, object, 0);
    return n > 0 ? std::string(buffer, std::min<std::size_t>(n, sizeof buffer - 1)) : "";
}

std::string utf8(const ASN1_STRING* value) {
    unsigned char* out = nullptr;
    const int n = ASN1_STRING_to_UTF8(&out, value);
    if (n < 0) return "";
    std::string text(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
    return text;
}

void name_lines(std::vector<std::string>& lines, const char* key, const X509_NAME* name) {
    lines.push_back(std::string("*   ") + key + ":");
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        lines.push_back("*     " + object_name(X509_NAME_ENTRY_get_object(entry)) + ": " +
                        python_repr(utf8(X509_NAME_ENTRY_get_data(entry))));
    }
}

std::string time_text(const ASN1_TIME* time) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    ASN1_TIME_print(bio.get(), time);  // "Dec  7 22:42:00 2026 GMT", as Python
    return bio_text(bio.get());
}

std::string general_name_text(const GENERAL_NAME* name, std::string& type) {
    switch (name->type) {
        case GEN_DNS:
            type = "DNS";
            return utf8(name->d.dNSName);
        case GEN_EMAIL:
            type = "email";
            return utf8(name->d.rfc822Name);
        case GEN_URI:
            type = "URI";
            return utf8(name->d.uniformResourceIdentifier);
        case GEN_IPADD: {
            type = "IP Address";
            const ASN1_OCTET_STRING* ip = name->d.iPAddress;
            const unsigned char* b = ip->data;
            if (ip->length == 4) {
                return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." +
                       std::to_string(b[2]) + "." + std::to_string(b[3]);
            }
            std::string text;  // IPv6: eight groups, upper-case hex, as Python writes them
            for (int i = 0; i + 1 < ip->length; i += 2) {
                char group[8];
                std::snprintf(group, sizeof group, "%X", (b[i] << 8) | b[i + 1]);
                text += (i ? ":" : "") + std::string(group);
            }
            return text;
        }
        default:
            type = "othername";
            return "<unsupported>";
    }
}

void alt_name_lines(std::vector<std::string>& lines, X509* cert) {
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (names == nullptr) return;
    lines.push_back("*   subjectAltName:");
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        std::string type;
        const std::string value = general_name_text(sk_GENERAL_NAME_value(names, i), type);
        lines.push_back("*     " + type + ": " + python_repr(value));
    }
    GENERAL_NAMES_free(names);
}

}  // namespace

std::vector<std::string> certificate_lines(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) return {};
    std::vector<std::string> lines;
    name_lines(lines, "subject", X509_get_subject_name(cert.get()));
    name_lines(lines, "issuer", X509_get_issuer_name(cert.get()));
    lines.push_back("*   version: " + std::to_string(X509_get_version(cert.get()) + 1));
    if (BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr)) {
        char* hex = BN_bn2hex(serial);
        lines.push_back("*   serialNumber: " + python_repr(hex));
        OPENSSL_free(hex);
        BN_free(serial);
    }
    lines.push_back("*   notBefore: " + python_repr(time_text(X509_get0_notBefore(cert.get()))));
    lines.push_back("*   notAfter: " + python_repr(time_text(X509_get0_notAfter(cert.get()))));
    alt_name_lines(lines, cert.get());
    return lines;
}

}  // namespace httpxx_cli
