// Control (SPEC §5): the officers' work queue, documentary control (document requests answered by
// the trader with uploaded documents), control outcomes (findings), and release or refusal through
// the declarations lifecycle. Findings feed the trader's compliance history (trader_compliance)
// and the hit rate of each risk profile version that decided the declaration's lane
// (selectivity_profile_stats).
//
// Counting: a declaration counts as ONE control in the statistics when its first outcome is
// recorded, and as ONE finding when its first non-compliant outcome is recorded (several findings
// on one declaration do not inflate the rates). The profile versions credited are those whose
// rules were decisive in the declaration's latest selectivity decision (found by the identity
// "declarant EORI/LRN", lane_hook.hpp); a declaration sent to control by the random sample credits
// no profile.
//
// Access
//  - Officers and administrators: queue, document requests (create, decide), findings, release,
//    refusal. Other staff may read requests and findings.
//  - Trader users: only the document requests of declarations they may read (declarant or
//    represented party), listed, read and answered by upload; anything else is NotFound (404), so
//    the existence of other traders' declarations is not revealed.
// Every write runs in one transaction together with the lifecycle transition it causes
// (DeclarationService::TransitionInTx), so a refused transition leaves nothing behind.
// Thread-safety: stateless apart from the references it holds; thread-safe.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/declarations/declaration_service.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::control {

inline constexpr std::size_t kMaxRequiredDocuments = 20;
inline constexpr std::size_t kMaxDocumentNameLength = 200;
inline constexpr std::size_t kMaxMessageLength = 2000;
inline constexpr std::size_t kMaxNoteLength = 2000;
inline constexpr std::size_t kMaxDocumentBytes = 4u << 20;  // one uploaded document, decoded
inline constexpr std::size_t kMaxDocumentsPerRequest = 20;
inline constexpr int kMaxQueuePage = 200;

// Finding categories of a non-compliant outcome (the code list of the issue, plus documents
// missing or invalid in documentary control).
std::span<const std::string_view> FindingCategories();

struct QueueFilter {
    std::optional<std::string> office;  // customs office of lodgement
    std::optional<std::string> lane;    // "yellow", "red" (or any lane); unset: both controls
    std::int64_t before_id = 0;         // keyset: declarations with a smaller id
    int limit = 50;
};

struct QueueEntry {
    std::int64_t id = 0;
    std::string lrn;
    std::optional<std::string> mrn;
    std::string type;
    std::string state;
    std::optional<std::string> lane;
    std::string office;
    std::string declarant_eori;
    std::optional<std::string> accepted_at;
};

struct QueuePage {
    std::vector<QueueEntry> items;
    std::optional<std::int64_t> next_before;
};

struct DocumentInfo {
    std::int64_t id = 0;
    std::string filename;
    std::string content_type;
    std::int64_t size_bytes = 0;
    std::string sha256;
    std::string uploaded_by;
    std::string uploaded_at;
};

struct DocumentRequest {
    std::int64_t id = 0;
    std::int64_t declaration_id = 0;
    std::vector<std::string> required_documents;
    std::string message;
    std::string state;  // open, answered, decided
    std::optional<std::string> decision;
    std::optional<std::string> decision_note;
    std::string requested_by;
    std::string requested_at;
    std::optional<std::string> answered_at;
    std::optional<std::string> decided_by;
    std::optional<std::string> decided_at;
    std::vector<DocumentInfo> documents;
};

struct DocumentContent {
    DocumentInfo info;
    std::string bytes;
};

struct Finding {
    std::int64_t id = 0;
    std::int64_t declaration_id = 0;
    std::string control_type;  // documentary, physical
    std::string outcome;       // compliant, non_compliant
    std::optional<std::string> category;
    std::string note;
    std::string recorded_by;
    std::string recorded_at;
};

class ControlService {
public:
    ControlService(storage::Database& db, const core::Clock& clock, declarations::DeclarationService& declarations);
    ControlService(const ControlService&) = delete;
    ControlService& operator=(const ControlService&) = delete;

    core::Result<QueuePage> Queue(const core::Principal& actor, const QueueFilter& filter);

    // body: {"required_documents": ["invoice", ...], "message": "..."}; the declaration must be under
    // documentary control.
    core::Result<DocumentRequest> RequestDocuments(const core::Principal& actor, std::int64_t declaration_id,
                                                   const boost::json::object& body);
    core::Result<std::vector<DocumentRequest>> DocumentRequests(const core::Principal& actor,
                                                                std::int64_t declaration_id);
    core::Result<DocumentRequest> GetDocumentRequest(const core::Principal& actor, std::int64_t request_id);
    // The trader answers: body {"filename", "content_type", "content_base64"}; the request must not
    // be decided yet.
    core::Result<DocumentInfo> UploadDocument(const core::Principal& actor, std::int64_t request_id,
                                              const boost::json::object& body);
    core::Result<DocumentContent> GetDocument(const core::Principal& actor, std::int64_t request_id,
                                              std::int64_t document_id);
    // body: {"decision": "release" | "physical_control" | "refuse", "note"?, "category"?}.
    // release records a compliant documentary outcome and releases; refuse records a non-compliant
    // one (category required) and refuses release; physical_control moves the declaration on.
    core::Result<DocumentRequest> DecideDocumentRequest(const core::Principal& actor, std::int64_t request_id,
                                                        const boost::json::object& body);

    // body: {"outcome": "compliant" | "non_compliant", "category"?, "note"?}; the declaration must
    // be under documentary or physical control.
    core::Result<Finding> RecordFinding(const core::Principal& actor, std::int64_t declaration_id,
                                        const boost::json::object& body);
    core::Result<std::vector<Finding>> Findings(const core::Principal& actor, std::int64_t declaration_id);

    // Release / refusal of a declaration under control (body {"reason"?}).
    core::Result<declarations::StoredDeclaration> Release(const core::Principal& actor, std::int64_t declaration_id,
                                                          const std::string& reason);
    core::Result<declarations::StoredDeclaration> Refuse(const core::Principal& actor, std::int64_t declaration_id,
                                                         const std::string& reason);

private:
    core::Result<Finding> InsertFinding(storage::Transaction& tx, const core::Principal& actor,
                                        const declarations::StoredDeclaration& d, std::string control_type,
                                        std::string outcome, std::optional<std::string> category, std::string note);

    storage::Database& db_;
    const core::Clock& clock_;
    declarations::DeclarationService& declarations_;
};

boost::json::object ToJson(const QueuePage& p);
boost::json::object ToJson(const DocumentRequest& r);
boost::json::object ToJson(const DocumentInfo& d);
boost::json::object ToJson(const Finding& f);

}  // namespace customsdesk::control
