// ParseMessage, StripQuotedReply and ComposeMessage over corpus messages (run from the source root:
// it reads tests/cases/mail/). What `mail-in` spends on a message before the database.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "customsdesk/mail/parse.hpp"
#include "customsdesk/mail/smtp_client.hpp"

namespace {

using namespace customsdesk::mail;

std::string Corpus(const std::string& name) {
    std::ifstream in("tests/cases/mail/" + name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void BM_Parse(benchmark::State& state, const std::string& name) {
    const std::string raw = Corpus(name);
    if (raw.empty()) state.SkipWithError("run from the source root");
    for (auto _ : state) {
        auto m = ParseMessage(raw);
        benchmark::DoNotOptimize(m);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
}
BENCHMARK_CAPTURE(BM_Parse, reply_thread, std::string("reply_thread.eml"));
BENCHMARK_CAPTURE(BM_Parse, html_only, std::string("html_only.eml"));
BENCHMARK_CAPTURE(BM_Parse, attachments, std::string("attachments.eml"));

// A message with a 1 MB base64 attachment (the service desk's attachment limit).
void BM_ParseOneMegabyteAttachment(benchmark::State& state) {
    std::string raw = "From: a@b.example\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
                      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee\r\n"
                      "--b\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    for (int line = 0; line < 1024 * 1024 / 57; ++line) raw += std::string(76, 'Q') + "\r\n";
    raw += "--b--\r\n";
    for (auto _ : state) {
        auto m = ParseMessage(raw);
        benchmark::DoNotOptimize(m);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BM_ParseOneMegabyteAttachment);

void BM_StripQuotedReply(benchmark::State& state) {
    auto m = ParseMessage(Corpus("reply_thread.eml"));
    for (auto _ : state) benchmark::DoNotOptimize(StripQuotedReply(m->text));
}
BENCHMARK(BM_StripQuotedReply);

void BM_Compose(benchmark::State& state) {
    OutboundMessage out;
    out.from = {"servicedesk@customs.example", "Tulli – Asiakaspalvelu"};
    out.to = {{"matti@yritys.example", "Matti Meikäläinen"}};
    out.subject = "[SR-2026-000123] Päätös";
    out.message_id = "sr-2026-000123.3@customs.example";
    out.in_reply_to = "CAF+reply-7@mail.yritys.example";
    out.references = {out.in_reply_to};
    out.text = "Hei,\n\npyyntösi on käsitelty. Päätös on liitteenä.\n\nYstävällisin terveisin\nTulli\n";
    for (auto _ : state) benchmark::DoNotOptimize(ComposeMessage(out));
}
BENCHMARK(BM_Compose);

}  // namespace

BENCHMARK_MAIN();
