# cmake -DWEB_DIR=web -DNODE_MODULES=node_modules -DOUT_DIR=build/web -P embed_web.cmake
#
# Turns the web UI into C++: every file under WEB_DIR (except build scripts and docs) plus the
# vendor ES modules copied from node_modules (pinned by package-lock.json) becomes an entry of
# customsdesk::web::EmbeddedAssets(), with a gzip body when that is smaller. Assets are served
# under /assets/<version>/..., where <version> is a hash over all asset paths and contents, so a
# change to any file gives new URLs (and browsers may cache them forever); index.html is served
# unversioned with @ASSET_BASE@ replaced by /assets/<version>. The staged files (what is served)
# are left in OUT_DIR/staged for inspection and for the size figures.
cmake_minimum_required(VERSION 3.25)

set(stage "${OUT_DIR}/staged")
file(REMOVE_RECURSE "${stage}")
file(MAKE_DIRECTORY "${stage}")

# 1. Collect (relative URL path -> staged file).
file(GLOB_RECURSE own RELATIVE "${WEB_DIR}" "${WEB_DIR}/*")
set(rel_paths "")
foreach(rel IN LISTS own)
  if(rel MATCHES "(^|/)CMakeLists\\.txt$" OR rel MATCHES "\\.cmake$" OR rel MATCHES "\\.md$" OR rel MATCHES "(^|/)\\.")
    continue()
  endif()
  file(READ "${WEB_DIR}/${rel}" content)
  file(WRITE "${stage}/${rel}" "${content}")
  list(APPEND rel_paths "${rel}")
endforeach()

# Vendor modules: the library files as published, with bare "preact" imports made relative
# (no bundler and no import map: an inline import map would need 'unsafe-inline' in the CSP).
function(vendor src dest)
  if(NOT EXISTS "${NODE_MODULES}/${src}")
    message(FATAL_ERROR "${NODE_MODULES}/${src} is missing: run `npm ci` in the repository root")
  endif()
  file(READ "${NODE_MODULES}/${src}" content)
  string(REPLACE "from\"preact\"" "from\"./preact.js\"" content "${content}")
  string(REPLACE "from 'preact'" "from './preact.js'" content "${content}")
  string(REGEX REPLACE "\n//# sourceMappingURL=[^\n]*" "" content "${content}")
  file(WRITE "${stage}/${dest}" "${content}")
  set(rel_paths ${rel_paths} "${dest}" PARENT_SCOPE)
endfunction()
vendor(preact/dist/preact.module.js vendor/preact.js)
vendor(preact/hooks/dist/hooks.module.js vendor/hooks.js)
vendor(htm/dist/htm.module.js vendor/htm.js)
list(SORT rel_paths)

# 2. Version: a hash over every path and content (index.html's placeholder is not yet replaced).
set(manifest "")
foreach(rel IN LISTS rel_paths)
  file(SHA256 "${stage}/${rel}" h)
  string(APPEND manifest "${rel} ${h}\n")
endforeach()
string(SHA256 version "${manifest}")
string(SUBSTRING "${version}" 0 12 version)
set(base "/assets/${version}")

# 3. Bytes -> C++ string literals (hex escapes: safe for any byte), gzip when smaller.
function(literal file out_var)
  file(READ "${file}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  set(${out_var} "\"${escaped}\"" PARENT_SCOPE)
endfunction()

set(defs "")
set(entries "")
set(total_raw 0)
set(total_sent 0)
set(i 0)
foreach(rel IN LISTS rel_paths)
  set(file "${stage}/${rel}")
  if(rel STREQUAL "index.html")
    file(READ "${file}" content)
    string(REPLACE "@ASSET_BASE@" "${base}" content "${content}")
    file(WRITE "${file}" "${content}")
    set(url "/index.html")
    set(immutable false)
  else()
    set(url "${base}/${rel}")
    set(immutable true)
  endif()
  file(SIZE "${file}" raw_size)
  set(gz_literal "\"\"")
  set(gz_len 0)
  set(sent ${raw_size})
  if(raw_size GREATER 200 AND NOT rel MATCHES "\\.(png|woff2)$")
    file(ARCHIVE_CREATE OUTPUT "${file}.gz" PATHS "${file}" FORMAT raw COMPRESSION GZip COMPRESSION_LEVEL 9)
    file(SIZE "${file}.gz" gz_size)
    if(gz_size LESS raw_size)
      literal("${file}.gz" gz_literal)
      set(gz_len ${gz_size})
      set(sent ${gz_size})
    endif()
    file(REMOVE "${file}.gz")
  endif()
  literal("${file}" raw_literal)
  string(APPEND defs "// ${url}\nconst char kRaw${i}[] =\n    ${raw_literal};\nconst char kGz${i}[] =\n    ${gz_literal};\n")
  string(APPEND entries "        {\"${url}\", std::string_view(kRaw${i}, ${raw_size}), std::string_view(kGz${i}, ${gz_len}), ${immutable}},\n")
  math(EXPR total_raw "${total_raw} + ${raw_size}")
  math(EXPR total_sent "${total_sent} + ${sent}")
  math(EXPR i "${i} + 1")
endforeach()

file(WRITE "${OUT_DIR}/web_assets.cpp.tmp"
"// Generated from web/ and node_modules by web/embed_web.cmake. Do not edit.
#include \"customsdesk/web/embedded_assets.hpp\"

namespace customsdesk::web {
namespace {
${defs}
}  // namespace

std::string_view AssetVersion() { return \"${version}\"; }

std::string_view AssetBase() { return \"${base}\"; }

const std::vector<http::StaticAsset>& EmbeddedAssets() {
    static const std::vector<http::StaticAsset> assets = {
${entries}    };
    return assets;
}

}  // namespace customsdesk::web
")
file(COPY_FILE "${OUT_DIR}/web_assets.cpp.tmp" "${OUT_DIR}/web_assets.cpp" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT_DIR}/web_assets.cpp.tmp")
file(WRITE "${OUT_DIR}/web_assets_sizes.txt" "version ${version}\nfiles ${i}\nbytes ${total_raw}\nbytes_gzip ${total_sent}\n")
