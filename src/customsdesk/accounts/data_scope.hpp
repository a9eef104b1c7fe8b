// The data-scoping mechanism: the one way stores filter rows by what a principal may see.
//
// Every store function that reads or writes trader data takes a `core::AccessScope` (from
// `Principal::Scope()`), and builds its WHERE clause through ScopedSql, which appends the
// organisation filter whenever the scope is restricted. A trader user therefore cannot reach
// another organisation's rows through any endpoint built on a store: the filter is not
// something a handler can forget, because the store API does not exist without a scope.
// Rows outside the scope are reported as not found (404), never as forbidden, so their
// existence is not revealed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/principal.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::accounts {

class ScopedSql {
public:
    // `sql` must end in a WHERE clause (or `WHERE TRUE`) to which conditions are appended.
    ScopedSql(const core::AccessScope& scope, std::string sql, std::string_view organisation_column)
        : sql_(std::move(sql)) {
        if (!scope.unrestricted()) And(std::string(organisation_column) + " = ", scope.organisation->value());
    }
    // Appends " AND <condition_prefix>$n" and binds `value` to $n.
    ScopedSql& And(std::string_view condition_prefix, storage::Param value) {
        params_.push_back(std::move(value));
        sql_ += " AND ";
        sql_ += condition_prefix;
        sql_ += "$" + std::to_string(params_.size());
        return *this;
    }
    // Appends raw SQL (no parameters), e.g. " AND deleted_at IS NULL" or " ORDER BY ...".
    ScopedSql& Raw(std::string_view text) {
        sql_ += text;
        return *this;
    }
    // Binds a parameter and returns its placeholder, for use inside Raw() text.
    std::string Bind(storage::Param value) {
        params_.push_back(std::move(value));
        return "$" + std::to_string(params_.size());
    }
    [[nodiscard]] const std::string& sql() const { return sql_; }
    [[nodiscard]] const std::vector<storage::Param>& params() const { return params_; }

private:
    std::string sql_;
    std::vector<storage::Param> params_;
};

}  // namespace customsdesk::accounts
