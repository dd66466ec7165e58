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

static char *render(void (*fn)(struct json *j))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_begin(&j, f);
	fn(&j);
	json_end(&j);
	fclose(f);
	return buf;
}

/* issue 15 item 13: strings are UTF-8 whatever the bytes; well-formed
 * sequences pass, every other byte becomes U+FFFD */
static void bad_utf8(struct json *j)
{
	json_str(j, "ff", "a\xff" "b");
	json_str(j, "ok", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* overlong '/', a UTF-16 surrogate, past U+10FFFF, a cut sequence */
	json_str(j, "overlong", "\xc0\xaf");
	json_str(j, "surrogate", "\xed\xa0\x80");
	json_str(j, "big", "\xf4\x90\x80\x80");
	json_strn(j, "cut", "x\xe2\x82", 3);
	json_str(j, "\xfe", "k");
}

TEST(utf8_always)
{
	char *buf = render(bad_utf8);

	CHECK_STR(buf, "{\"ff\":\"a\\ufffdb\",\"ok\":\"\xc3\xa9\xe2\x82\xac"
		       "\xf0\x9f\x98\x80\",\"overlong\":\"\\ufffd\\ufffd\","
		       "\"surrogate\":\"\\ufffd\\ufffd\\ufffd\","
		       "\"big\":\"\\ufffd\\ufffd\\ufffd\\ufffd\","
		       "\"cut\":\"x\\ufffd\\ufffd\",\"\\ufffd\":\"k\"}\n");
	free(buf);
}

/* deeper than JSON_MAXDEPTH, ends that do not match, keys where none
 * belong: the line still parses */
static void misuse(struct json *j)
{
	for (int i = 0; i < JSON_MAXDEPTH + 2; i++)
		json_arr_begin(j, "a");
	json_int(j, NULL, 1);
	for (int i = 0; i < JSON_MAXDEPTH + 2; i++)
		json_obj_end(j);
	json_obj_end(j);
	json_int(j, NULL, 2);
	json_obj_begin(j, "o");
	json_arr_begin(j, NULL);
}

TEST(misuse_still_parses)
{
	char *buf = render(misuse);

	CHECK_STR(buf, "{\"a\":[[[[[[[null]]]]]]],\"\":2,\"o\":{\"\":[]}}\n");
	free(buf);
}

int main(void)
{
	RUN(object);
	RUN(utf8_always);
	RUN(misuse_still_parses);
	return unit_done();
}
