/* Keeps the helper library non-empty before any helper exists. */
typedef int tests_helpers_stub;
