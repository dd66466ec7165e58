/* test_sha256.c - SHA-256 against the FIPS 180-2 appendix B examples (and
 * the NIST long-message one), the padding boundaries, incremental updates
 * in odd pieces, and the strict hex parser. */
#include <stdlib.h>

#include "base/sha256.h"
#include "unit.h"

static const char *hex_of(const void *buf, size_t len)
{
	static char out[SHA256_HEXLEN + 1];
	uint8_t d[SHA256_LEN];

	sha256(buf, len, d);
	sha256_hex(d, out);
	return out;
}

TEST(fips_180_vectors)
{
	static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklm"
				  "klmnlmnomnopnopq";
	static const char four[] = "abcdefghbcdefghicdefghijdefghijkefghijkl"
				   "fghijklmghijklmnhijklmnoijklmnopjklmnopq"
				   "klmnopqrlmnopqrsmnopqrstnopqrstu";

	CHECK_STR(hex_of("abc", 3), "ba7816bf8f01cfea414140de5dae2223"
				    "b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(hex_of(two, sizeof(two) - 1),
		  "248d6a61d20638b8e5c026930c3e6039"
		  "a33ce45964ff2167f6ecedd419db06c1");
	CHECK_STR(hex_of(four, sizeof(four) - 1),
		  "cf5b16a778af8380036ce59e7b049237"
		  "0b249b11e8f07a51afac45037afee9d1");
	CHECK_STR(hex_of("", 0), "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
}

TEST(million_a_in_pieces)
{
	struct sha256 s;
	uint8_t d[SHA256_LEN];
	char a[1000], h[SHA256_HEXLEN + 1];

	memset(a, 'a', sizeof(a));
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_update(&s, a, sizeof(a));
	sha256_final(&s, d);
	sha256_hex(d, h);
	CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67"
		     "f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding's edges (56 bytes leave no room for the
 * length; 64 fill a block): digests from Python's hashlib. */
TEST(padding_boundaries)
{
	static const struct { size_t n; const char *hex; } v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
	};
	char a[128];

	memset(a, 'a', sizeof(a));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK_STR(hex_of(a, v[i].n), v[i].hex);
}

/* Any split of the input gives the one-shot digest. */
TEST(incremental_equals_one_shot)
{
	uint8_t buf[1024], one[SHA256_LEN], inc[SHA256_LEN];
	struct sha256 s;
	unsigned r = 12345;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	sha256(buf, sizeof(buf), one);
	CHECK_STR(hex_of(buf, sizeof(buf)), "785b0751fc2c53dc14a4ce3d800e69ef"
		  "9ce1009eb327ccf458afe09c242c26c9");
	for (int round = 0; round < 200; round++) {
		size_t off = 0, k;

		sha256_init(&s);
		while (off < sizeof(buf)) {
			r = r * 1103515245 + 12345;
			k = (r >> 16) % 130;
			if (k > sizeof(buf) - off)
				k = sizeof(buf) - off;
			sha256_update(&s, buf + off, k);
			off += k;
		}
		sha256_final(&s, inc);
		CHECK_MEM(inc, one, SHA256_LEN);
	}
}

TEST(parse_hex)
{
	uint8_t d[SHA256_LEN], e[SHA256_LEN];
	char h[SHA256_HEXLEN + 1];
	const char *abc = "BA7816BF8F01CFEA414140DE5DAE2223"
			  "b00361a396177a9cb410ff61f20015ad";

	sha256("abc", 3, e);
	CHECK_INT(sha256_parse(abc, d), 0);
	CHECK_MEM(d, e, SHA256_LEN);
	sha256_hex(d, h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223"
		     "b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(sha256_parse("", d), -1);
	CHECK_INT(sha256_parse("ba7816bf", d), -1);
	/* 63 digits, 65 digits, a non-digit, a space */
	CHECK_INT(sha256_parse("a7816bf8f01cfea414140de5dae2223"
			       "b00361a396177a9cb410ff61f20015ad", d), -1);
	CHECK_INT(sha256_parse("ba7816bf8f01cfea414140de5dae2223"
			       "b00361a396177a9cb410ff61f20015ad0", d), -1);
	CHECK_INT(sha256_parse("ba7816bf8f01cfea414140de5dae2223"
			       "b00361a396177a9cb410ff61f20015ag", d), -1);
	CHECK_INT(sha256_parse(" ba7816bf8f01cfea414140de5dae222"
			       "b00361a396177a9cb410ff61f20015ad", d), -1);
}

int main(void)
{
	RUN(fips_180_vectors);
	RUN(million_a_in_pieces);
	RUN(padding_boundaries);
	RUN(incremental_equals_one_shot);
	RUN(parse_hex);
	return unit_done();
}
