// The PostgreSQL implementation of storage::Database, through libpq.
//
// Contract
//  - A pool of up to `Options::pool_size` connections, made lazily; waiting for one is bounded by
//    Options::acquire_timeout (then kUnavailable). Each connection runs with statement_timeout set,
//    TimeZone UTC and client_encoding UTF8.
//  - Broken connections are detected through PQstatus after a failure and replaced; an idle
//    connection found dead when a transaction begins is replaced transparently (BEGIN is retried on
//    a fresh connection, which is safe because nothing ran yet).
//  - Write transactions: BEGIN (READ COMMITTED); read transactions: BEGIN READ ONLY.
//  - Parameters are sent as text through PQexecParams (bool as "true"/"false", NULL as a null
//    pointer); rows are copied out as text.
//  - SQLSTATE mapping: 23505 -> kAlreadyExists, 23503 -> kFailedPrecondition, 40001/40P01/55P03/
//    57014/57P01-03/class 08 and lost connections -> kUnavailable, anything else kInternal.
//  - Thread-safe, like every Database. Transactions must be destroyed before the database.
#pragma once

#include <memory>
#include <string_view>

#include "customsdesk/storage/database.hpp"

namespace customsdesk::storage::postgres {

// Opens a pool for a libpq URL ("postgresql://user:pw@host:port/db?..."), connecting once to check
// that the server is reachable (kUnavailable otherwise).
Result<std::unique_ptr<Database>> OpenPostgres(std::string_view url, const Options& options);

}  // namespace customsdesk::storage::postgres
