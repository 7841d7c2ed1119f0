// Test that header file is self-contained.
#include "httpx/text_encoding.hpp"

#include "httpx/async_client.hpp"
#include "httpx/response.hpp"
#include "run_async.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

// HTTPX's `default_encoding` as a function of the body, and the uchardet detector httpxx ships
// for it, on real non-UTF-8 bodies (written here as bytes).

namespace {

using httpx::Response;
using httpx::test::run_async;

// "日本語のテキストです。文字コードの自動判定を試験します。これはシフトJISで書かれた文章です。" in
// shift_jis.
const std::string kShiftJis =
    "\223\372\226{\214\352\202\314\203e\203L\203X\203g\202\305\202\267\201B\225\266\216"
    "\232\203R\201[\203h\202\314\216\251\223\256\224\273\222\350\202\360\216\216\214\261"
    "\202\265\202\334\202\267\201B\202\261\202\352\202\315\203V\203t\203gJIS\202\305\217"
    "\221\202\251\202\352\202\275\225\266\217\315\202\305\202\267\201B";

// "Привет, мир! Это текст в кодировке Windows-1251, чтобы проверить автоматическое определение." in
// cp1251.
const std::string kWindows1251 =
    "\317\360\350\342\345\362, \354\350\360! \335\362\356 \362\345\352\361\362 \342 \352"
    "\356\344\350\360\356\342\352\345 Windows-1251, \367\362\356\341\373 \357\360\356\342"
    "\345\360\350\362\374 \340\342\362\356\354\340\362\350\367\345\361\352\356\345 \356"
    "\357\360\345\344\345\353\345\355\350\345.";

// "Le garçon a mangé une crème brûlée à côté du château, très élégant et déjà célèbre." in latin-1.
const std::string kLatin1 =
    "Le gar\347on a mang\351 une cr\350me br\373l\351e \340 c\364t\351 du ch\342teau, "
    "tr\350s \351l\351gant et d\351j\340 c\351l\350bre.";

const std::string kJapanese =
    "日本語のテキストです。文字コードの自動判定を試験します。これはシフトJISで書かれた文章です。";
const std::string kRussian =
    "Привет, мир! Это текст в кодировке Windows-1251, чтобы проверить автоматическое определение.";
const std::string kFrench =
    "Le garçon a mangé une crème brûlée à côté du château, très élégant et déjà célèbre.";

TEST(AutodetectEncoding, NamesTheCharsetOfRealNonUtf8Bodies) {
    EXPECT_EQ(httpx::autodetect_encoding(kShiftJis), "shift_jis");
    EXPECT_EQ(httpx::autodetect_encoding(kWindows1251), "windows-1251");
    EXPECT_EQ(httpx::autodetect_encoding(kLatin1), "iso-8859-1");
}

TEST(AutodetectEncoding, Utf8AsciiAndEmptyBodies) {
    EXPECT_EQ(httpx::autodetect_encoding(kRussian), "utf-8");
    EXPECT_EQ(httpx::autodetect_encoding("plain ascii text"), "ascii");
    EXPECT_EQ(httpx::autodetect_encoding(""), "");  // no answer: the response uses utf-8
}

TEST(DefaultEncodingFunction, TextOfABodyWithoutCharsetIsDecodedWithTheDetectedOne) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {kShiftJis, kJapanese}, {kWindows1251, kRussian}, {kLatin1, kFrench}};
    for (const auto& [body, text] : cases) {
        Response response(200, {.content = body,
                                .headers = {{"Content-Type", "text/plain"}},
                                .default_encoding = httpx::autodetect_encoding});
        EXPECT_EQ(response.text(), text);
    }
    // With the default ("utf-8"), the same bytes are mostly replacement characters.
    Response plain(200, {.content = kWindows1251});
    EXPECT_EQ(plain.encoding(), "utf-8");
    EXPECT_NE(plain.text(), kRussian);
}

TEST(DefaultEncodingFunction, ACharsetInContentTypeWinsAndTheDetectorIsNotCalled) {
    int calls = 0;
    const auto detector = [&calls](std::string_view) -> std::string {
        ++calls;
        return "shift_jis";
    };
    Response response(200, {.content = kWindows1251,
                            .headers = {{"Content-Type", "text/plain; charset=windows-1251"}},
                            .default_encoding = detector});
    EXPECT_EQ(response.encoding(), "windows-1251");
    EXPECT_EQ(response.text(), kRussian);
    EXPECT_EQ(calls, 0);
    // An unknown charset is ignored, as HTTPX does: the detector decides.
    Response unknown(200, {.content = kShiftJis,
                           .headers = {{"Content-Type", "text/plain; charset=x-unknown"}},
                           .default_encoding = detector});
    EXPECT_EQ(unknown.text(), kJapanese);
    EXPECT_EQ(calls, 1);
}

TEST(DefaultEncodingFunction, CalledOnceWithTheWholeBodyAndNoAnswerMeansUtf8) {
    std::vector<std::string> seen;
    Response response(200, {.content = "caf\xC3\xA9", .default_encoding = [&](std::string_view b) {
                                seen.emplace_back(b);
                                return std::string();
                            }});
    EXPECT_EQ(response.encoding(), "utf-8");
    EXPECT_EQ(response.encoding(), "utf-8");
    EXPECT_EQ(response.text(), "caf\xC3\xA9");
    EXPECT_EQ(seen, std::vector<std::string>{"caf\xC3\xA9"});
    // set_encoding still overrides a detector.
    Response overridden(200, {.content = kLatin1, .default_encoding = httpx::autodetect_encoding});
    overridden.set_encoding("utf-8");
    EXPECT_EQ(overridden.encoding(), "utf-8");
}

TEST(DefaultEncodingFunction, OnlyAppliesOnceTheBodyIsRead) {
    int calls = 0;
    Response response(200, {.stream = httpx::AsyncByteStream(kLatin1),
                            .default_encoding = [&](std::string_view body) {
                                ++calls;
                                return httpx::autodetect_encoding(body);
                            }});
    EXPECT_EQ(response.encoding(), "utf-8");  // HTTPX: the detector needs the whole content
    EXPECT_EQ(calls, 0);
    run_async(response.aread());
    EXPECT_EQ(response.encoding(), "iso-8859-1");
    EXPECT_EQ(response.text(), kFrench);
    EXPECT_EQ(calls, 1);
}

TEST(DefaultEncodingFunction, TheClientGivesItsDetectorToEveryResponse) {
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        const bool japanese = request.url().path() == "/ja";
        return Response(200, {.content = japanese ? kShiftJis : kWindows1251});
    });
    httpx::AsyncClient client(httpx::ClientOptions{.transport = transport,
                                                   .default_encoding = httpx::autodetect_encoding});
    EXPECT_EQ(run_async(client.get("https://example.org/ja")).text(), kJapanese);
    Response russian = run_async(client.get("https://example.org/ru"));
    EXPECT_EQ(russian.encoding(), "windows-1251");
    EXPECT_EQ(russian.text(), kRussian);
    // A name still works, as before.
    httpx::AsyncClient latin(
        httpx::ClientOptions{.transport = transport, .default_encoding = "iso-8859-1"});
    EXPECT_EQ(run_async(latin.get("https://example.org/ru")).encoding(), "iso-8859-1");
}

}  // namespace
