/* test_json.c - JSON writer: escaping (RFC 8259), nesting, non-finite. */
#include <math.h>
#include <stdlib.h>

#include "base/json.h"
#include "unit.h"

TEST(object)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_begin(&j, f);
	json_str(&j, "s", "a\"b\\c\n\x01\x7f/é");
	json_int(&j, "i", -3);
	json_uint(&j, "u", 18446744073709551615ULL);
	json_double(&j, "d", 1.5, 2);
	json_double(&j, "nan", NAN, 2);
	json_bool(&j, "t", 1);
	json_null(&j, "n");
	json_str(&j, "null", NULL);
	json_arr_begin(&j, "a");
	json_int(&j, NULL, 1);
	json_obj_begin(&j, NULL);
	json_str(&j, "k", "v");
	json_obj_end(&j);
	json_arr_end(&j);
	json_strn(&j, "bin", "x\0y", 3);
	json_end(&j);
	fclose(f);
	CHECK_STR(buf, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u007f/é\",\"i\":-3,"
		       "\"u\":18446744073709551615,\"d\":1.50,\"nan\":null,"
		       "\"t\":true,\"n\":null,\"null\":null,"
		       "\"a\":[1,{\"k\":\"v\"}],\"bin\":\"x\\u0000y\"}\n");
	free(buf);
}

int main(void)
{
	RUN(object);
	return unit_done();
}
