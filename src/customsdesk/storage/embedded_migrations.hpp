// Internal: the migration files compiled into the binary by embed_migrations.cmake.
// Thread-safety: immutable static data.
#pragma once

#include <string_view>
#include <vector>

namespace customsdesk::storage::detail {

struct EmbeddedFile {
    std::string_view dialect;   // "sqlite" or "postgres" (the folder name)
    std::string_view filename;  // "V001__init.sql"
    std::string_view text;
};

// Every data/migrations/{sqlite,postgres}/V*.sql file, sorted by dialect then file name.
const std::vector<EmbeddedFile>& EmbeddedMigrationFiles();

}  // namespace customsdesk::storage::detail
