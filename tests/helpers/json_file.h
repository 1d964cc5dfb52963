/* Reading the JSON files qonnxc writes, in tests: parsed with cJSON and
 * looked up by path, so a test checks values, not the text's layout. */
#ifndef QONNXC_TESTS_JSON_FILE_H
#define QONNXC_TESTS_JSON_FILE_H

#include <cjson/cJSON.h>

/* The parsed file; fails the test, naming the file, if it cannot be read
 * or is not JSON. Free with cJSON_Delete. */
cJSON *json_file(const char *path);
/* The item at `path`, members by name and array elements by index:
 * "network.fps", "layers[2].name", "fifos[0]"; NULL if there is none. */
const cJSON *json_at(const cJSON *root, const char *path);
/* The number / string at path; fails the test when it is absent or of
 * another type. */
double json_num(const cJSON *root, const char *path);
const char *json_str(const cJSON *root, const char *path);

#endif
