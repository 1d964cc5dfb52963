# Generates a C file that embeds source files into the compiler, so the
# emitters can copy them into emitted code from anywhere, without the
# source tree (the quant core for the C targets, the Verilog library and
# Verilator harness for rtl). Run by the top-level CMakeLists.txt as
#   cmake -DBASE_DIR=... -DPATTERNS=a/*.c,b.h -DTEMPLATE=x.c.in -DOUT=x.c -P cmake/embed_files.cmake
# PATTERNS: comma-separated globs relative to BASE_DIR; the files' names in
# the table are those relative paths, sorted. Each file becomes an array of
# its bytes (plus a terminating 0), one line of the array per line of the
# file. The template receives @EMBED_ARRAYS@, @EMBED_TABLE@ (rows of
# { "name", bytes, size }) and @EMBED_COUNT@.
string(REPLACE "," ";" patterns "${PATTERNS}")
set(globs "")
foreach(p ${patterns})
  list(APPEND globs "${BASE_DIR}/${p}")
endforeach()
file(GLOB files RELATIVE ${BASE_DIR} ${globs})
list(SORT files)
set(EMBED_ARRAYS "")
set(EMBED_TABLE "")
set(index 0)
foreach(name ${files})
  file(READ ${BASE_DIR}/${name} hex HEX)
  string(LENGTH "${hex}" digits)
  math(EXPR size "${digits} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REPLACE "0x0a," "0x0a,\n" bytes "${bytes}")
  string(APPEND EMBED_ARRAYS
    "/* ${name} */\nstatic const unsigned char source_${index}[] = {\n${bytes}0x00\n};\n\n")
  string(APPEND EMBED_TABLE "    { \"${name}\", source_${index}, ${size} },\n")
  math(EXPR index "${index} + 1")
endforeach()
set(EMBED_COUNT ${index})
configure_file(${TEMPLATE} ${OUT} @ONLY)
