#include "customsdesk/registry/search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "customsdesk/accounts/data_scope.hpp"
#include "customsdesk/core/identifiers.hpp"
#include "customsdesk/registry/text_fold.hpp"

namespace customsdesk::registry {
namespace {

using core::Fail;
using core::Result;

constexpr std::string_view kFindEntry = "SELECT terms, key_list FROM search_entries WHERE id = $1";
constexpr std::string_view kDeleteEntry = "DELETE FROM search_entries WHERE id = $1";
constexpr std::string_view kDeleteKey = "DELETE FROM search_keys WHERE key = $1 AND entry_id = $2";
// search_fts is contentless (V021): a row is removed by giving FTS5 the words it was indexed with.
constexpr std::string_view kDeleteFts = "INSERT INTO search_fts (search_fts, rowid, terms) VALUES ('delete', $1, $2)";
constexpr std::string_view kEntryColumns[] = {"id",       "entity_type", "entity_id", "organisation_id", "title",
                                              "subtitle", "name_key",    "terms",     "key_list"};
constexpr std::string_view kKeyColumns[] = {"key", "entry_id"};
constexpr std::string_view kFtsColumns[] = {"rowid", "terms"};
// FTS5 writes its pending terms as a new segment at the end of EVERY statement, so a big batch
// (an import: consecutive ids of one kind) reaches search_fts from the just written entries with
// one INSERT ... SELECT per kBigFtsRows entities (few segments, few merges, no parameters).
constexpr std::size_t kBigFtsBatch = 1000;
constexpr std::int64_t kBigFtsRows = 50000;
constexpr std::string_view kCopyFts =
    "INSERT INTO search_fts (rowid, terms) SELECT id, terms FROM search_entries WHERE id >= $1 AND id <= $2 AND "
    "id % 4 = $3 ORDER BY id";

constexpr std::string_view kHitColumns =
    "SELECT e.id, e.entity_type, e.entity_id, e.organisation_id, e.title, e.subtitle, e.name_key";
// Greater than any folded continuation of a prefix: U+10FFFF.
constexpr std::string_view kPrefixEnd = "\xf4\x8f\xbf\xbf";
// The longest prefix with an FTS5 prefix index (V021: prefix = '2 3').
constexpr std::size_t kFtsPrefixChars = 3;
// A wide word-tier scan (search tier 3) goes on while the rows it still has to read at its pass rate
// stay within this; beyond, the word itself is asked (its FTS5 prefix merge costs about as much as
// reading 1,000 rows for a word with thousands of entries, and far less for a rare word).
constexpr std::int64_t kWideRowBudget = 1000;
// The word tier stops after kWordTierScan rows of its query, read in pages of kWordTierCandidates.
static_assert(kWordTierScan % kWordTierCandidates == 0);

// The distinct words of the name, the text and the keys, in that order, separated by spaces.
// `name_words` = Words(d.name) (the caller has them for the name key). A key equal to the text
// (a contact's e-mail is both) adds no new word and is not split again.
std::string Terms(const SearchDoc& d, const std::vector<std::string>& name_words) {
    std::string out;
    std::vector<std::string> seen;  // a handful of words: a linear search beats a set
    auto add_word = [&](std::string&& w) {
        if (std::find(seen.begin(), seen.end(), w) != seen.end()) return;
        if (!out.empty()) out += ' ';
        out += w;
        seen.push_back(std::move(w));
    };
    for (const auto& w : name_words) add_word(std::string(w));
    for (auto& w : Words(d.text)) add_word(std::move(w));
    for (const auto& k : d.keys) {
        if (k == d.text) continue;
        for (auto& w : Words(k)) add_word(std::move(w));
    }
    return out;
}

std::string JoinWords(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

std::vector<std::string> Keys(const SearchDoc& d) {
    std::vector<std::string> out;
    for (const auto& k : d.keys) {
        std::string f = Fold(k);
        f.erase(std::remove(f.begin(), f.end(), ' '), f.end());
        if (!f.empty() && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(std::move(f));
    }
    return out;
}

std::string CityList(const std::vector<Address>& addresses) {
    std::string out;
    for (const auto& a : addresses) {
        if (a.city.empty() || out.find(a.city) != std::string::npos) continue;
        if (!out.empty()) out += ", ";
        out += a.city;
    }
    return out;
}

SearchHit HitFromRow(const storage::Row& r, MatchKind match) {
    SearchHit h;
    h.kind = ParseEntityKind(r.GetText(1)).value_or(EntityKind::kOrganisation);
    h.id = r.GetInt(2);
    h.organisation_id = r.GetInt(3);
    h.title = r.GetText(4);
    h.subtitle = r.GetText(5);
    h.match = match;
    return h;
}

// A restricted scope (a trader) reaches its organisation's entries through the entity tables'
// organisation indexes (entry id = entity id * 4 + kind), so search_entries needs no organisation
// index. The ScopedSql organisation filter stays as well.
void OwnEntries(accounts::ScopedSql& q, const core::AccessScope& scope) {
    if (scope.unrestricted()) return;
    const std::int64_t org = scope.organisation->value();
    const std::string o = q.Bind(org);
    q.Raw(" AND e.id IN (SELECT CAST(" + q.Bind(org * 4 + 1) +
          " AS BIGINT) UNION ALL SELECT id * 4 + 2 FROM establishments WHERE organisation_id = " + o +
          " UNION ALL SELECT id * 4 + 3 FROM contacts WHERE organisation_id = " + o + ")");
}

}  // namespace

std::string_view EntityKindName(EntityKind k) {
    switch (k) {
        case EntityKind::kOrganisation: return "organisation";
        case EntityKind::kEstablishment: return "establishment";
        case EntityKind::kContact: return "contact";
    }
    return "organisation";
}

std::optional<EntityKind> ParseEntityKind(std::string_view s) {
    if (s == "organisation") return EntityKind::kOrganisation;
    if (s == "establishment") return EntityKind::kEstablishment;
    if (s == "contact") return EntityKind::kContact;
    return std::nullopt;
}

std::string_view MatchKindName(MatchKind m) {
    switch (m) {
        case MatchKind::kIdentifier: return "identifier";
        case MatchKind::kPrefix: return "prefix";
        case MatchKind::kWords: return "words";
    }
    return "words";
}

SearchDoc OrganisationDoc(const Organisation& o) {
    SearchDoc d;
    d.kind = EntityKind::kOrganisation;
    d.entity_id = o.id.value();
    d.organisation_id = o.id.value();
    d.title = o.fields.name;
    const std::string cities = CityList(o.fields.addresses);
    const std::string id = o.fields.business_id.value_or(o.fields.foreign_registry_id.value_or(""));
    d.subtitle = cities.empty() ? id : (id.empty() ? cities : id + " · " + cities);
    d.name = o.fields.name;
    d.text = cities;
    for (const auto* k : {&o.fields.business_id, &o.fields.eori, &o.fields.vat_number, &o.fields.foreign_registry_id}) {
        if (*k) d.keys.push_back(**k);
    }
    return d;
}

SearchDoc EstablishmentDoc(const Establishment& e) {
    SearchDoc d;
    d.kind = EntityKind::kEstablishment;
    d.entity_id = e.id.value();
    d.organisation_id = e.organisation.value();
    d.title = e.fields.name;
    d.subtitle = e.fields.street.empty() ? e.fields.city : e.fields.street + ", " + e.fields.city;
    d.name = e.fields.name;
    d.text = e.fields.city + " " + e.fields.unlocode.value_or("");
    return d;
}

SearchDoc ContactDoc(const Contact& c) {
    SearchDoc d;
    d.kind = EntityKind::kContact;
    d.entity_id = c.id.value();
    d.organisation_id = c.organisation.value();
    d.title = c.fields.first_name + " " + c.fields.last_name;
    d.subtitle = c.fields.email.value_or(c.fields.phone.value_or(""));
    d.name = d.title;
    d.text = c.fields.email.value_or("");
    if (c.fields.email) d.keys.push_back(*c.fields.email);
    return d;
}

std::int64_t EntryId(EntityKind kind, std::int64_t entity_id) {
    switch (kind) {
        case EntityKind::kOrganisation: return entity_id * 4 + 1;
        case EntityKind::kEstablishment: return entity_id * 4 + 2;
        case EntityKind::kContact: return entity_id * 4 + 3;
    }
    return entity_id * 4 + 1;
}

Result<void> UnindexDoc(storage::Transaction& tx, EntityKind kind, std::int64_t entity_id) {
    const std::int64_t id = EntryId(kind, entity_id);
    auto row = tx.QueryOne(kFindEntry, {id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return {};
    const std::string& key_list = (*row)->GetText(1);
    for (std::size_t i = 0; i < key_list.size();) {
        auto sp = key_list.find(' ', i);
        if (sp == std::string::npos) sp = key_list.size();
        if (sp > i) {
            if (auto r = tx.Execute(kDeleteKey, {key_list.substr(i, sp - i), id}); !r) return Fail(std::move(r.error()));
        }
        i = sp + 1;
    }
    if (tx.dialect() == storage::Dialect::kSqlite) {
        if (auto r = tx.Execute(kDeleteFts, {id, (*row)->GetText(0)}); !r) return Fail(std::move(r.error()));
    }
    if (auto r = tx.Execute(kDeleteEntry, {id}); !r) return Fail(std::move(r.error()));
    return {};
}

Result<void> IndexDoc(storage::Transaction& tx, const SearchDoc& doc) {
    if (auto r = UnindexDoc(tx, doc.kind, doc.entity_id); !r) return r;
    return IndexNewDocs(tx, std::span<const SearchDoc>(&doc, 1));
}

std::size_t AppendEntryRows(const SearchDoc& d, std::vector<storage::Param>& entries,
                            std::vector<storage::Param>& keys) {
    const std::int64_t id = EntryId(d.kind, d.entity_id);
    std::string key_list;
    std::size_t added = 0;
    for (auto& k : Keys(d)) {
        if (!key_list.empty()) key_list += ' ';
        key_list += k;
        keys.insert(keys.end(), {std::move(k), id});
        ++added;
    }
    const auto name_words = Words(d.name, kMaxWords);
    entries.insert(entries.end(), {id, std::string(EntityKindName(d.kind)), d.entity_id, d.organisation_id, d.title,
                                   d.subtitle, JoinWords(name_words), Terms(d, name_words), std::move(key_list)});
    return added;
}

void SetEntryIds(std::vector<storage::Param>& entries, std::size_t entry_row, std::vector<storage::Param>& keys,
                 std::size_t first_key, std::size_t key_count, std::int64_t entity_id) {
    const std::size_t base = entry_row * kEntryRowColumns;
    const auto kind = ParseEntityKind(std::get<std::string>(entries[base + 1])).value_or(EntityKind::kOrganisation);
    const std::int64_t id = EntryId(kind, entity_id);
    entries[base] = id;
    entries[base + 2] = entity_id;
    for (std::size_t k = first_key; k < first_key + key_count; ++k) keys[k * kKeyRowColumns + 1] = id;
}

Result<void> WriteEntryRows(storage::Transaction& tx, std::span<const storage::Param> entries,
                            std::span<const storage::Param> keys) {
    if (auto r = tx.CopyRows("search_entries", kEntryColumns, entries); !r) return r;
    return tx.CopyRows("search_keys", kKeyColumns, keys);
}

Result<void> IndexEntryRange(storage::Transaction& tx, EntityKind kind, std::int64_t first_entity,
                             std::int64_t last_entity) {
    if (tx.dialect() != storage::Dialect::kSqlite) return {};
    const std::int64_t k = EntryId(kind, 0);
    for (std::int64_t first = first_entity; first <= last_entity; first += kBigFtsRows) {
        const std::int64_t last = std::min(first + kBigFtsRows - 1, last_entity);
        if (auto r = tx.Execute(kCopyFts, {EntryId(kind, first), EntryId(kind, last), k}); !r) {
            return Fail(std::move(r.error()));
        }
    }
    return {};
}

Result<void> IndexNewDocs(storage::Transaction& tx, std::span<const SearchDoc> docs) {
    const bool sqlite = tx.dialect() == storage::Dialect::kSqlite;
    // One kind, consecutive entity ids: their entries are exactly those of that kind in the id range.
    bool range = sqlite && docs.size() >= kBigFtsBatch;
    for (std::size_t i = 1; range && i < docs.size(); ++i) {
        range = docs[i].kind == docs[0].kind && docs[i].entity_id == docs[i - 1].entity_id + 1;
    }
    std::vector<storage::Param> entries, keys, fts;
    constexpr std::size_t kChunk = 2000;  // bounds the parameter vectors of a big batch
    for (std::size_t i = 0; i < docs.size(); ++i) {
        AppendEntryRows(docs[i], entries, keys);
        if (sqlite && !range) fts.insert(fts.end(), {entries[entries.size() - kEntryRowColumns], entries[entries.size() - 2]});
        if ((i + 1) % kChunk == 0 || i + 1 == docs.size()) {
            if (auto r = WriteEntryRows(tx, entries, keys); !r) return r;
            if (auto r = tx.CopyRows("search_fts", kFtsColumns, fts); !r) return r;
            entries.clear();
            keys.clear();
            fts.clear();
        }
    }
    if (range) return IndexEntryRange(tx, docs.front().kind, docs.front().entity_id, docs.back().entity_id);
    return {};
}

Result<std::vector<SearchHit>> SearchService::Search(const core::Principal& actor, const SearchQuery& query) {
    core::FieldErrors errs;
    if (query.limit < 1 || query.limit > kMaxSearchResults) {
        errs.Add("/query/limit", "range", fmt::format("The number of results is 1 to {}.", kMaxSearchResults));
    }
    if (query.text.size() > kMaxSearchQueryBytes) {
        errs.Add("/query/q", "too_long", fmt::format("A search is at most {} bytes.", kMaxSearchQueryBytes));
    }
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return Fail(std::move(ok.error()));

    const auto words = Words(query.text, kMaxSearchWords);
    std::vector<SearchHit> hits;
    if (words.empty()) return hits;
    std::string key = Fold(core::TrimAscii(query.text));
    key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
    std::string prefix;
    for (const auto& w : words) prefix += (prefix.empty() ? "" : " ") + w;

    const core::AccessScope scope = actor.Scope();
    const auto limit = static_cast<std::size_t>(query.limit);
    std::set<std::int64_t> seen;  // entry ids already on the page
    const bool sqlite = db_.dialect() == storage::Dialect::kSqlite;

    auto add_kind = [&](accounts::ScopedSql& q) {
        if (query.kind) q.And("e.entity_type = ", std::string(EntityKindName(*query.kind)));
    };
    auto take = [&](const storage::QueryResult& rows, MatchKind match) {
        for (const auto& r : rows.rows) {
            if (hits.size() >= limit) break;
            if (seen.insert(r.GetInt(0)).second) hits.push_back(HitFromRow(r, match));
        }
    };

    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<SearchHit>> {
        // (1) exact identifier
        // A key has a few entries at most: they are read unordered (ORDER BY ... LIMIT made SQLite
        // build a temporary B-tree for every search) and sorted here by name key and id, the order
        // of ORDER BY e.name_key, e.id (binary; "C" collation on PostgreSQL). Only a key with more
        // than a page of entries is read ordered by the database.
        if (!key.empty() && key.size() <= 80) {
            auto read = [&](bool ordered) {
                accounts::ScopedSql q(scope,
                                      std::string(kHitColumns) +
                                          " FROM search_keys k JOIN search_entries e ON e.id = k.entry_id WHERE TRUE",
                                      "e.organisation_id");
                q.And("k.key = ", key);
                add_kind(q);
                q.Raw(std::string(ordered ? " ORDER BY e.name_key, e.id" : "") + " LIMIT " +
                      q.Bind(static_cast<std::int64_t>(ordered ? limit : limit + 1)));
                return tx.Query(q.sql(), q.params());
            };
            auto rows = read(false);
            if (rows && rows->rows.size() > limit) rows = read(true);
            if (!rows) return Fail(std::move(rows.error()));
            std::sort(rows->rows.begin(), rows->rows.end(), [](const storage::Row& a, const storage::Row& b) {
                if (const int c = a.GetText(6).compare(b.GetText(6)); c != 0) return c < 0;
                return a.GetInt(0) < b.GetInt(0);
            });
            take(*rows, MatchKind::kIdentifier);
        }
        // (2) name prefix
        if (hits.size() < limit) {
            accounts::ScopedSql q(scope, std::string(kHitColumns) + " FROM search_entries e WHERE TRUE",
                                  "e.organisation_id");
            OwnEntries(q, scope);
            q.And("e.name_key >= ", prefix);
            q.And("e.name_key < ", prefix + std::string(kPrefixEnd));
            add_kind(q);
            q.Raw(" ORDER BY e.name_key, e.id LIMIT " + q.Bind(static_cast<std::int64_t>(limit + seen.size())));
            auto rows = tx.Query(q.sql(), q.params());
            if (!rows) return Fail(std::move(rows.error()));
            take(*rows, MatchKind::kPrefix);
        }
        // (3) every word as a word prefix, ranked in C++. A one-letter prefix ("Oja H", the check
        // digit of "4090654-4") matches a large part of the index, so when longer words exist the
        // one-letter words are not given to the word index: the candidates of the longer words are
        // fetched in id order and those without a word starting with each short word are dropped
        // here, page after page, until kWordTierCandidates remain (the same candidates as before,
        // since the index also returns them in id order), reading at most kWordTierScan rows.
        if (hits.size() < limit) {
            const bool any_long = std::any_of(words.begin(), words.end(), [](const std::string& w) { return w.size() > 1; });
            std::vector<std::string> short_words;
            std::string match;
            for (const auto& w : words) {
                if (any_long && w.size() == 1) {
                    short_words.push_back(w);
                    continue;
                }
                if (!match.empty()) match += sqlite ? " AND " : " & ";
                match += sqlite ? "\"" + w + "\"*" : w + ":*";
            }
            // SQLite, trader scope: the organisation's own entries are read in id order (OwnEntries)
            // and every query word is checked here - FTS5 has no scope column.
            const bool own_entries = sqlite && !scope.unrestricted();
            if (own_entries) short_words = words;
            const bool filter = !short_words.empty();
            // SQLite, unrestricted: a word of more than kFtsPrefixChars letters has no prefix index,
            // and FTS5 merges the document lists of EVERY term starting with it before returning a
            // first row ("varasto"* reads all 26,000 entries with that word, "kallio"* the 2,500
            // terms kallio, kallio4000657, ...: 3-5 ms). Such words (a-z only) are given to the word
            // index as their first three letters, whose prefix index is read lazily in id order, and
            // checked here against each row's folded terms: the rows that pass are exactly the rows
            // of `match`, in the same order (wide_match's rows are a superset). When the rows still
            // to read at the pass rate so far exceed kWideRowBudget, or a row's terms are not plain
            // ASCII (FTS5's tokenizer could split them differently), the remaining rows come from
            // `match` itself (rowid greater than the last row decided). Words with digits keep `match`: a number prefix
            // has few terms and documents, while its three-digit prefix has very many.
            std::vector<std::string> long_words;
            std::string wide_match;
            if (sqlite && !own_entries) {
                for (const auto& w : words) {
                    if (any_long && w.size() == 1) continue;
                    const bool letters = std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
                    const bool wide = letters && w.size() > kFtsPrefixChars;
                    if (wide) long_words.push_back(w);
                    if (!wide_match.empty()) wide_match += " AND ";
                    wide_match += "\"" + (wide ? w.substr(0, kFtsPrefixChars) : w) + "\"*";
                }
            }
            bool wide = !long_words.empty();
            std::int64_t page = kWordTierCandidates;  // rows asked for; wide pages are sized by their pass rate
            std::int64_t wide_read = 0, wide_passed = 0;
            const bool paged = filter || wide;
            const bool with_terms = paged || own_entries;
            // The candidates' folded names: the rank needs no more (the title's words are the name
            // key's words, see SearchDoc); the hits' rows are read at the end.
            std::string sql;
            if (own_entries) {
                sql = "SELECT e.id, e.name_key, e.terms FROM search_entries e WHERE TRUE";
            } else if (sqlite) {
                sql = std::string("SELECT e.id, e.name_key") + (with_terms ? ", e.terms" : "") +
                      " FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid WHERE TRUE";
            } else {
                sql = std::string("SELECT e.id, e.name_key") + (filter ? ", e.terms" : "") +
                      " FROM search_entries e WHERE TRUE";
            }
            auto starts_word = [](const std::string& terms, const std::string& w) {
                for (std::size_t i = 0; i < terms.size();) {
                    if (terms.compare(i, w.size(), w) == 0) return true;
                    auto sp = terms.find(' ', i);
                    if (sp == std::string::npos) break;
                    i = sp + 1;
                }
                return false;
            };
            auto has_prefixes = [&](const std::string& terms) {
                return std::all_of(short_words.begin(), short_words.end(),
                                   [&](const std::string& w) { return starts_word(terms, w); });
            };
            struct Candidate {
                std::int64_t id;
                const std::string* name_key;  // in `pages`
            };
            std::vector<storage::QueryResult> pages;  // the rows read, kept for the candidates' name keys
            std::vector<Candidate> candidates;
            candidates.reserve(static_cast<std::size_t>(kWordTierCandidates));
            auto add_candidate = [&](const storage::Row& r) { candidates.push_back({r.GetInt(0), &r.GetText(1)}); };
            std::int64_t after = 0;
            std::int64_t scanned = 0;  // rows of `match` read (the one-letter words' bound)
            for (bool done = false; !done;) {
                accounts::ScopedSql q(scope, sql, "e.organisation_id");
                if (own_entries) {
                    OwnEntries(q, scope);  // no word index: all words are checked in has_prefixes()
                } else if (sqlite) {
                    q.And("search_fts MATCH ", wide ? wide_match : match);
                } else {
                    q.Raw(" AND e.terms_tsv @@ to_tsquery('simple', " + q.Bind(match) + ")");
                }
                add_kind(q);
                if (paged) {
                    q.And(sqlite && !own_entries ? "search_fts.rowid > " : "e.id > ", after);
                    q.Raw(sqlite && !own_entries ? " ORDER BY search_fts.rowid" : " ORDER BY e.id");
                }
                q.Raw(" LIMIT " + q.Bind(wide ? page : static_cast<std::int64_t>(kWordTierCandidates)));
                auto rows = tx.Query(q.sql(), q.params());
                if (!rows) return Fail(std::move(rows.error()));
                if (!paged) {
                    for (auto& r : rows->rows) add_candidate(r);
                    pages.push_back(std::move(*rows));  // moving keeps the rows where they are
                    break;
                }
                const bool page_wide = wide;
                done = static_cast<std::int64_t>(rows->rows.size()) < (wide ? page : kWordTierCandidates);
                for (auto& r : rows->rows) {
                    const std::string& terms = r.GetText(2);
                    if (page_wide) {
                        if (std::any_of(terms.begin(), terms.end(), [](char c) { return (c & 0x80) != 0; })) {
                            wide = false;  // undecided: this row and those after it come from `match`
                            done = false;
                            break;
                        }
                        after = r.GetInt(0);
                        ++wide_read;
                        if (!std::all_of(long_words.begin(), long_words.end(),
                                         [&](const std::string& w) { return starts_word(terms, w); })) {
                            continue;
                        }
                        ++wide_passed;
                    } else {
                        after = r.GetInt(0);
                    }
                    ++scanned;
                    if (candidates.size() < static_cast<std::size_t>(kWordTierCandidates) &&
                        (!filter || has_prefixes(terms))) {
                        add_candidate(r);
                    }
                    // The bound counts whole pages of `match` (kWordTierScan is a multiple of them).
                    if (candidates.size() >= static_cast<std::size_t>(kWordTierCandidates) ||
                        (filter && !own_entries && scanned >= kWordTierScan)) {
                        done = true;
                        break;
                    }
                }
                if (!done && page_wide && wide) {
                    // Rows of `match` still wanted, and the wide rows that would take at this pass rate.
                    const auto have = static_cast<std::int64_t>(candidates.size());
                    std::int64_t wanted = kWordTierCandidates - have;
                    if (filter) {  // the one-letter words pass `have` of `scanned` rows of `match`
                        wanted = have == 0 ? kWordTierScan - scanned
                                           : std::min(kWordTierScan - scanned, wanted * scanned / have + 1);
                    }
                    const std::int64_t expected = wide_passed == 0 ? kWideRowBudget + 1
                                                                   : (wanted * wide_read + wide_passed - 1) / wide_passed;
                    if (expected > kWideRowBudget) {
                        wide = false;
                    } else {
                        page = std::clamp<std::int64_t>(expected + expected / 4 + 8, 16, kWideRowBudget);
                    }
                }
                pages.push_back(std::move(*rows));
            }
            struct Ranked {
                int score;
                const Candidate* c;
            };
            std::vector<Ranked> ranked;
            ranked.reserve(candidates.size());
            for (const auto& c : candidates) {
                if (seen.contains(c.id)) continue;
                int score = 0;
                for (const auto& w : words) {
                    bool prefix = false;
                    bool equal = false;
                    const std::string& name_key = *c.name_key;
                    for (std::size_t i = 0; i <= name_key.size() && !equal;) {
                        std::size_t sp = name_key.find(' ', i);
                        if (sp == std::string::npos) sp = name_key.size();
                        const std::string_view t(name_key.data() + i, sp - i);
                        if (!t.empty() && t.starts_with(w)) {
                            prefix = true;
                            equal = t.size() == w.size();
                        }
                        i = sp + 1;
                    }
                    if (prefix) score += equal ? 3 : 2;
                }
                ranked.push_back({score, &c});
            }
            const std::size_t wanted = std::min(limit - hits.size(), ranked.size());
            std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(wanted), ranked.end(),
                              [](const Ranked& a, const Ranked& b) {
                                  if (a.score != b.score) return a.score > b.score;
                                  if (const int k = a.c->name_key->compare(*b.c->name_key); k != 0) return k < 0;
                                  return a.c->id < b.c->id;
                              });
            // The hits' rows, one primary-key lookup each (an IN list would build a temporary index).
            const std::string hit_sql = std::string(kHitColumns) + " FROM search_entries e WHERE TRUE";
            for (std::size_t i = 0; i < wanted; ++i) {
                accounts::ScopedSql q(scope, hit_sql, "e.organisation_id");
                q.And("e.id = ", ranked[i].c->id);
                auto rows = tx.Query(q.sql(), q.params());
                if (!rows) return Fail(std::move(rows.error()));
                if (rows->rows.empty()) continue;
                seen.insert(ranked[i].c->id);
                hits.push_back(HitFromRow(rows->rows.front(), MatchKind::kWords));
            }
        }
        return std::move(hits);
    });
}

}  // namespace customsdesk::registry
