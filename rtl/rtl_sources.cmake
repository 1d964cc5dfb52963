# Generates the C file that embeds the rtl target's library (rtl/qnn_*.v)
# and its Verilator harness (sim/rtlsim_main.cpp) into the compiler, so
# `qonnxc build --target rtl` writes them without the source tree. Run by
# the top-level CMakeLists.txt as
#   cmake -DSOURCE_DIR=... -DTEMPLATE=rtl/rtl_sources.c.in -DOUT=... -P rtl/rtl_sources.cmake
# Each file becomes an array of its bytes (plus a terminating 0), one line
# of the array per line of the file; the table lists them sorted by path
# (relative to the source tree, as emit_rtl.c looks them up).
file(GLOB library RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/rtl/qnn_*.v)
set(files ${library} sim/rtlsim_main.cpp)
list(SORT files)
set(RTL_SOURCE_ARRAYS "")
set(RTL_SOURCE_TABLE "")
set(index 0)
foreach(path ${files})
  file(READ ${SOURCE_DIR}/${path} hex HEX)
  string(LENGTH "${hex}" digits)
  math(EXPR size "${digits} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REPLACE "0x0a," "0x0a,\n" bytes "${bytes}")
  string(APPEND RTL_SOURCE_ARRAYS
    "/* ${path} */\nstatic const unsigned char source_${index}[] = {\n${bytes}0x00\n};\n\n")
  string(APPEND RTL_SOURCE_TABLE "    { \"${path}\", source_${index}, ${size} },\n")
  math(EXPR index "${index} + 1")
endforeach()
set(RTL_SOURCE_COUNT ${index})
configure_file(${TEMPLATE} ${OUT} @ONLY)
