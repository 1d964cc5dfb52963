# Generates the C file that embeds the quant core sources (src/quant/qc_*.c
# and qc_*.h) into the compiler, so `qonnxc build` can copy them into
# emitted code from anywhere. Run by the top-level CMakeLists.txt as
#   cmake -DQUANT_DIR=... -DTEMPLATE=src/quant_sources.c.in -DOUT=... -P src/quant_sources.cmake
# Each file becomes an array of its bytes (plus a terminating 0), one line
# of the array per line of the file; the table lists them sorted by name.
file(GLOB files RELATIVE ${QUANT_DIR} ${QUANT_DIR}/qc_*.c ${QUANT_DIR}/qc_*.h)
list(SORT files)
set(QUANT_SOURCE_ARRAYS "")
set(QUANT_SOURCE_TABLE "")
set(index 0)
foreach(name ${files})
  file(READ ${QUANT_DIR}/${name} hex HEX)
  string(LENGTH "${hex}" digits)
  math(EXPR size "${digits} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REPLACE "0x0a," "0x0a,\n" bytes "${bytes}")
  string(APPEND QUANT_SOURCE_ARRAYS
    "/* ${name} */\nstatic const unsigned char source_${index}[] = {\n${bytes}0x00\n};\n\n")
  string(APPEND QUANT_SOURCE_TABLE "    { \"${name}\", source_${index}, ${size} },\n")
  math(EXPR index "${index} + 1")
endforeach()
set(QUANT_SOURCE_COUNT ${index})
configure_file(${TEMPLATE} ${OUT} @ONLY)
