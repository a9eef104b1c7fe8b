// Search as you type over organisations, establishments and contacts (SPEC §2, issue 3 §4).
//
// Index: every registry write calls IndexDoc()/UnindexDoc() in its own transaction, so the index
// commits or rolls back with the record. A SearchDoc is built from the record (OrganisationDoc,
// EstablishmentDoc, ContactDoc); its text is folded in C++ (text_fold.hpp) so both databases
// index the same words: SQLite keeps them in an FTS5 table (prefix indexes for 2 and 3
// characters), PostgreSQL in a tsvector column with a GIN index. Names are also kept folded in
// `name_key` (a B-tree, "C" collation on PostgreSQL) for prefix range scans, and exact
// identifiers (Business ID, EORI, VAT number, foreign registry id, e-mail) in `search_keys`.
//
// Query: the caller's text is folded the same way, then three tiers fill the page in order,
// each a bounded indexed query (never a LIKE scan): (1) exact identifier match, (2) name prefix
// (ordered by name), (3) every query word as a word prefix (FTS5 MATCH / tsquery `w:*`), ranked
// by how many query words start a word of the title, then by name. Results are data-scoped
// through accounts::ScopedSql (a trader sees their own organisation's records only). Thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/principal.hpp"
#include "customsdesk/registry/contact.hpp"
#include "customsdesk/registry/establishment.hpp"
#include "customsdesk/registry/organisation.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::registry {

enum class EntityKind { kOrganisation, kEstablishment, kContact };
std::string_view EntityKindName(EntityKind k);  // "organisation", "establishment", "contact"
std::optional<EntityKind> ParseEntityKind(std::string_view s);

struct SearchDoc {
    EntityKind kind = EntityKind::kOrganisation;
    std::int64_t entity_id = 0;
    std::int64_t organisation_id = 0;
    std::string title;
    std::string subtitle;
    std::string name;               // compared by prefix; the title's text (the rank reads its words from name_key)
    std::string text;               // further words: cities, e-mail, ids
    std::vector<std::string> keys;  // exact identifiers
};

SearchDoc OrganisationDoc(const Organisation& o);
SearchDoc EstablishmentDoc(const Establishment& e);
SearchDoc ContactDoc(const Contact& c);

// The entry of an entity: entity_id * 4 + kind (1 organisation, 2 establishment, 3 contact); also
// the FTS5 rowid on SQLite. No id is allocated, and no (type, id) index is needed.
std::int64_t EntryId(EntityKind kind, std::int64_t entity_id);

// Adds or replaces the entity's entry.
core::Result<void> IndexDoc(storage::Transaction& tx, const SearchDoc& doc);
core::Result<void> UnindexDoc(storage::Transaction& tx, EntityKind kind, std::int64_t entity_id);
// Adds entries for entities that have none yet (imports), in batches.
core::Result<void> IndexNewDocs(storage::Transaction& tx, std::span<const SearchDoc> docs);

// An import's entries as storage CopyRows rows, built on its checking thread (pure,
// thread-safe): AppendEntryRows() adds the entry of `doc` (kEntryRowColumns values: folded name,
// words, identifiers) to `entries` and its identifier keys (kKeyRowColumns values each) to `keys`,
// and returns the number of keys added. The entity id may be unknown then: SetEntryIds() fills
// it in (the entry row at `entry_row`, its keys at [first_key, first_key + key_count)).
// WriteEntryRows() writes whole rows of entities that have no entry yet; the SQLite word index
// rows are added afterwards with IndexEntryRange (PostgreSQL's is a generated column).
inline constexpr std::size_t kEntryRowColumns = 9;
inline constexpr std::size_t kKeyRowColumns = 2;
std::size_t AppendEntryRows(const SearchDoc& doc, std::vector<storage::Param>& entries,
                            std::vector<storage::Param>& keys);
void SetEntryIds(std::vector<storage::Param>& entries, std::size_t entry_row, std::vector<storage::Param>& keys,
                 std::size_t first_key, std::size_t key_count, std::int64_t entity_id);
core::Result<void> WriteEntryRows(storage::Transaction& tx, std::span<const storage::Param> entries,
                                  std::span<const storage::Param> keys);
// SQLite: adds the word index rows of the already written entries of `kind` whose entity ids are
// first..last (one INSERT ... SELECT per kBigFtsRows entities). Nothing on PostgreSQL.
core::Result<void> IndexEntryRange(storage::Transaction& tx, EntityKind kind, std::int64_t first, std::int64_t last);

inline constexpr int kDefaultSearchResults = 10;
inline constexpr int kMaxSearchResults = 50;
inline constexpr std::size_t kMaxSearchQueryBytes = 200;
inline constexpr std::size_t kMaxSearchWords = 8;
inline constexpr int kWordTierCandidates = 200;
// Rows read at most when one-letter words are checked after the word index (search.cpp, tier 3).
inline constexpr std::int64_t kWordTierScan = 5000;

struct SearchQuery {
    std::string text;
    int limit = kDefaultSearchResults;
    std::optional<EntityKind> kind;  // only this kind
};

enum class MatchKind { kIdentifier, kPrefix, kWords };
std::string_view MatchKindName(MatchKind m);  // "identifier", "prefix", "words"

struct SearchHit {
    EntityKind kind = EntityKind::kOrganisation;
    std::int64_t id = 0;
    std::int64_t organisation_id = 0;
    std::string title;
    std::string subtitle;
    MatchKind match = MatchKind::kWords;
};

class SearchService {
public:
    explicit SearchService(storage::Database& db) : db_(db) {}
    // Invalid limit or an over-long query: kInvalidArgument with "/query/..." pointers.
    core::Result<std::vector<SearchHit>> Search(const core::Principal& actor, const SearchQuery& query);

private:
    storage::Database& db_;
};

}  // namespace customsdesk::registry
