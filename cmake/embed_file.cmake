# cmake -DINPUT=file -DOUTPUT=out.cpp -DNAMESPACE=ns -DSYMBOL=kName -P embed_file.cmake
# Writes a .cpp defining `extern const std::string_view NAMESPACE::SYMBOL` holding the file's bytes.
file(READ "${INPUT}" content)
string(FIND "${content}" ")cdk_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )cdk_embed\"")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/embed_file.cmake. Do not edit.\n#include <string_view>\nnamespace ${NAMESPACE} {\nextern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL} = R\"cdk_embed(${content})cdk_embed\";\n}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
