/* test_dump.c - the UTF-8 text check and the hex helpers behind mcrecv -x
 * and mcrecv --json ("data" or "hex"). */
#include <stdio.h>
#include <stdlib.h>

#include "base/dump.h"
#include "unit.h"

TEST(text_or_not)
{
	CHECK(dump_is_text("", 0));
	CHECK(dump_is_text("hello\n\t", 7));
	CHECK(dump_is_text("\xc3\xa9t\xc3\xa9", 5));		/* été */
	CHECK(dump_is_text("\xe2\x82\xac", 3));			/* euro */
	CHECK(dump_is_text("\xf0\x9f\x98\x80", 4));		/* emoji */
	CHECK(!dump_is_text("a\0b", 3));			/* NUL */
	CHECK(!dump_is_text("\xc3", 1));			/* cut short */
	CHECK(!dump_is_text("\xe2\x82", 2));
	CHECK(!dump_is_text("\xc0\xaf", 2));			/* overlong */
	CHECK(!dump_is_text("\x80", 1));			/* lone continuation */
	CHECK(!dump_is_text("\xe0\x80\xaf", 3));		/* overlong, 3 bytes */
	CHECK(!dump_is_text("\xed\xa0\x80", 3));		/* surrogate */
	CHECK(!dump_is_text("\xf4\x90\x80\x80", 4));		/* past U+10FFFF */
	CHECK(!dump_is_text("\xc3(", 2));			/* bad continuation */
	CHECK(!dump_is_text("\xff\xfe", 2));
	CHECK(!dump_is_text("MCBP\x01\x01\x01\x00", 8));	/* a probe */
}

TEST(hexstr)
{
	char out[2 * 4 + 1];

	dump_hexstr(out, "\x00\x01\xab\xff\x10", 5, 4);
	CHECK_STR(out, "0001abff");
	dump_hexstr(out, "", 0, 4);
	CHECK_STR(out, "");
}

TEST(hexdump)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	dump_hex(f, "0123456789abcdef\x01Z", 18);
	fclose(f);
	CHECK_STR(buf,
		  "0000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66"
		  "  0123456789abcdef\n"
		  "0010  01 5a                                          "
		  "  .Z\n");
	free(buf);
}

int main(void)
{
	RUN(text_or_not);
	RUN(hexstr);
	RUN(hexdump);
	return unit_done();
}
