/* JSON files in tests (json_file.h). */
#include "json_file.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "run_cli.h"

cJSON *json_file(const char *path)
{
    char *text = read_whole_file(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    cJSON *root = cJSON_Parse(text);
    ck_assert_msg(root != NULL, "%s is not JSON:\n%s", path, text);
    free(text);
    return root;
}

const cJSON *json_at(const cJSON *root, const char *path)
{
    const cJSON *item = root;
    for (const char *p = path; item && *p;) {
        if (*p == '[') {
            char *end;
            long k = strtol(p + 1, &end, 10);
            item = *end == ']' ? cJSON_GetArrayItem(item, (int)k) : NULL;
            p = *end == ']' ? end + 1 : end;
        } else {
            size_t n = strcspn(p, ".[");
            char key[128];
            if (n >= sizeof key)
                return NULL;
            memcpy(key, p, n);
            key[n] = '\0';
            item = cJSON_GetObjectItemCaseSensitive(item, key);
            p += n;
        }
        if (*p == '.')
            p++;
    }
    return item;
}

double json_num(const cJSON *root, const char *path)
{
    const cJSON *item = json_at(root, path);
    ck_assert_msg(cJSON_IsNumber(item), "no number at %s", path);
    return item->valuedouble;
}

const char *json_str(const cJSON *root, const char *path)
{
    const cJSON *item = json_at(root, path);
    ck_assert_msg(cJSON_IsString(item), "no string at %s", path);
    return item->valuestring;
}
