/* test_file.c - bitmap, and the atomic output file: nothing under the final
 * name until commit, nothing left behind on abort, and gathered writes that
 * land where they belong. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "base/err.h"
#include "file/bitmap.h"
#include "file/outfile.h"
#include "unit.h"

TEST(bitmap)
{
	struct bitmap b;

	CHECK_INT(bitmap_init(&b, 130), 0);
	CHECK_INT(bitmap_next_clear(&b, 0), 0);
	CHECK_INT(bitmap_next_set(&b, 0), 130);
	CHECK_INT(bitmap_set(&b, 0), 1);
	CHECK_INT(bitmap_set(&b, 0), 0);
	CHECK_INT(bitmap_set(&b, 130), 0);
	for (int k = 0; k < 129; k++)
		bitmap_set(&b, (uint64_t)k);
	CHECK_INT(b.nset, 129);
	CHECK_INT(bitmap_next_clear(&b, 0), 129);
	CHECK_INT(bitmap_next_set(&b, 64), 64);
	CHECK_INT(bitmap_full(&b), 0);
	bitmap_set(&b, 129);
	CHECK_INT(bitmap_full(&b), 1);
	CHECK_INT(bitmap_next_clear(&b, 0), 130);
	CHECK_INT(bitmap_test(&b, 129), 1);
	CHECK_INT(bitmap_test(&b, 1000), 0);
	bitmap_free(&b);
	CHECK_INT(bitmap_init(&b, 0), 0);
	CHECK_INT(bitmap_full(&b), 1);
	bitmap_free(&b);
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.'))
			n++;
	if (d)
		closedir(d);
	return n;
}

TEST(outfile)
{
	char dir[] = "/tmp/mcbox-test-XXXXXX", path[128], buf[16] = { 0 };
	struct outfile o;
	struct stat st;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/out.bin", dir);
	CHECK_INT(outfile_open(&o, path), 0);
	CHECK_INT(outfile_write(&o, "world", 5, 6), 0);
	CHECK_INT(outfile_write(&o, "hello ", 6, 0), 0);
	CHECK(stat(path, &st) != 0);	/* not yet under its name */
	CHECK_INT(outfile_commit(&o, 11), 0);
	fd = open(path, O_RDONLY);
	CHECK(read(fd, buf, sizeof(buf)) == 11);
	close(fd);
	CHECK_STR(buf, "hello world");
	CHECK_INT(entries(dir), 1);
	/* abort leaves nothing, and the old file stays as it was */
	CHECK_INT(outfile_open(&o, path), 0);
	CHECK_INT(outfile_write(&o, "junk", 4, 0), 0);
	outfile_abort(&o);
	outfile_abort(&o);
	CHECK_INT(entries(dir), 1);
	CHECK(stat(path, &st) == 0 && st.st_size == 11);
	/* a directory is no output file */
	CHECK_INT(outfile_open(&o, dir), -1);
	CHECK(strstr(err_str(), "is a directory") != NULL);
	snprintf(path, sizeof(path), "%s/no/such/dir/f", dir);
	CHECK_INT(outfile_open(&o, path), -1);
	unlink(strcat(strcpy(path, dir), "/out.bin"));
	rmdir(dir);
}

/* In-order pieces are gathered, a gap or a full buffer sends them out, and a
 * piece larger than the buffer goes straight to the file: the result is
 * what the offsets say, whatever the order. */
TEST(outfile_gather)
{
	char dir[] = "/tmp/mcbox-test-XXXXXX", path[128];
	size_t big = OUTFILE_BUF + 1000, total = 3 * OUTFILE_BUF, k;
	uint8_t *want = malloc(total), *got = malloc(total);
	struct outfile o;
	int fd;

	CHECK(want && got && mkdtemp(dir) != NULL);
	for (k = 0; k < total; k++)
		want[k] = (uint8_t)(k * 7 + k / 251);
	snprintf(path, sizeof(path), "%s/g.bin", dir);
	CHECK_INT(outfile_open(&o, path), 0);
	/* 1000-byte pieces in order up to 100000, then the tail first */
	for (k = 0; k < 100000; k += 1000)
		CHECK_INT(outfile_write(&o, want + k, 1000, (off_t)k), 0);
	CHECK_INT(outfile_write(&o, want + total - 5000, 5000,
				(off_t)(total - 5000)), 0);
	/* one piece larger than the buffer, then the middle in odd sizes */
	CHECK_INT(outfile_write(&o, want + 100000, big, 100000), 0);
	for (k = 100000 + big; k < total - 5000; k += 4099) {
		size_t n = total - 5000 - k < 4099 ? total - 5000 - k : 4099;

		CHECK_INT(outfile_write(&o, want + k, n, (off_t)k), 0);
	}
	CHECK_INT(outfile_commit(&o, (off_t)total), 0);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && read(fd, got, total) == (ssize_t)total);
	close(fd);
	CHECK(!memcmp(got, want, total));
	unlink(path);
	rmdir(dir);
	free(want);
	free(got);
}

/* The file has no name at all until commit; where O_TMPFILE is missing,
 * a hidden named one, removed on abort. */
TEST(outfile_nameless_and_named)
{
	char dir[] = "/tmp/mcbox-test-XXXXXX", path[128], buf[16] = { 0 };
	struct outfile o;
	int fd, pass;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/f", dir);
	for (pass = 0; pass < 2; pass++) {
		outfile_no_tmpfile = pass;
		CHECK_INT(outfile_open(&o, path), 0);
		CHECK_INT(outfile_write(&o, "abc", 3, 0), 0);
		CHECK_INT(outfile_flush(&o), 0);
		/* nameless: nothing new in the directory; named: a hidden
		 * one beside the f of pass 0 */
		CHECK_INT(entries(dir), pass ? 2 : 0);
		CHECK(pass ? o.tmp != NULL : o.tmp == NULL);
		outfile_abort(&o);
		CHECK_INT(entries(dir), pass);
		/* an existing file is replaced in one step */
		CHECK_INT(outfile_open(&o, path), 0);
		CHECK_INT(outfile_write(&o, pass ? "two" : "one", 3, 0), 0);
		CHECK_INT(outfile_commit(&o, 3), 0);
		CHECK_INT(entries(dir), 1);
		fd = open(path, O_RDONLY);
		CHECK(read(fd, buf, sizeof(buf)) == 3);
		close(fd);
		CHECK_STR(buf, pass ? "two" : "one");
	}
	outfile_no_tmpfile = 0;
	unlink(path);
	rmdir(dir);
}

/* --size and --sha256: a file that is not what was asked for never gets
 * its name; one that is, does. */
TEST(outfile_expect_checks)
{
	char dir[] = "/tmp/mcbox-test-XXXXXX", path[128];
	struct outfile_want w = { 0 };
	struct outfile o;
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/f", dir);
	w.size_set = 1;
	w.size = 3;
	CHECK_INT(outfile_want_sha256(&w, "ba7816bf8f01cfea414140de5dae2223"
				      "b00361a396177a9cb410ff61f20015ad"), 0);
	CHECK_INT(outfile_want_sha256(&w, "ba78"), -1);
	CHECK(strstr(err_str(), "bad --sha256 'ba78'") != NULL);
	CHECK_INT(outfile_open(&o, path), 0);
	outfile_expect(&o, &w);
	outfile_write(&o, "abd", 3, 0);
	CHECK_INT(outfile_commit(&o, 3), -1);
	CHECK(strstr(err_str(), "SHA-256 a52d159f") != NULL);
	CHECK(strstr(err_str(), "not the ba7816bf") != NULL);
	CHECK(stat(path, &st) != 0 && entries(dir) == 0);
	CHECK_INT(outfile_open(&o, path), 0);
	outfile_expect(&o, &w);
	outfile_write(&o, "abcd", 4, 0);
	CHECK_INT(outfile_commit(&o, 4), -1);
	CHECK(strstr(err_str(), "4 bytes, not the 3 expected") != NULL);
	CHECK_INT(entries(dir), 0);
	CHECK_INT(outfile_open(&o, path), 0);
	outfile_expect(&o, &w);
	outfile_write(&o, "abc", 3, 0);
	CHECK_INT(outfile_commit(&o, 3), 0);
	CHECK(stat(path, &st) == 0 && st.st_size == 3);
	unlink(path);
	rmdir(dir);
}

/* A FIFO is written in place once complete; a symbolic link to a file
 * replaces that file and stays a link; one to nothing is refused. */
TEST(outfile_fifo_and_links)
{
	char dir[] = "/tmp/mcbox-test-XXXXXX", fifo[128], link[128], real[128];
	char buf[16] = { 0 };
	struct outfile o;
	struct stat st;
	int rd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(real, sizeof(real), "%s/real", dir);
	CHECK_INT(mkfifo(fifo, 0600), 0);
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	CHECK_INT(outfile_open(&o, fifo), 0);
	CHECK_INT(o.stream, 1);
	outfile_write(&o, "world", 5, 6);
	outfile_write(&o, "hello ", 6, 0);
	CHECK_INT(outfile_commit(&o, 11), 0);
	CHECK(read(rd, buf, sizeof(buf)) == 11);
	CHECK_STR(buf, "hello world");
	close(rd);
	CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK_INT(symlink("real", link), 0);
	CHECK_INT(outfile_open(&o, link), -1);	/* points to nothing */
	CHECK(strstr(err_str(), "is a symbolic link to nothing") != NULL);
	close(open(real, O_WRONLY | O_CREAT, 0600));
	CHECK_INT(outfile_open(&o, link), 0);
	outfile_write(&o, "xyz", 3, 0);
	CHECK_INT(outfile_commit(&o, 3), 0);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat(real, &st) == 0 && st.st_size == 3);
	CHECK_INT(entries(dir), 3);
	CHECK_INT(outfile_open(&o, ""), -1);
	CHECK_STR(err_str(), "empty output file name");
	unlink(fifo);
	unlink(link);
	unlink(real);
	rmdir(dir);
}

int main(void)
{
	RUN(bitmap);
	RUN(outfile);
	RUN(outfile_gather);
	RUN(outfile_nameless_and_named);
	RUN(outfile_expect_checks);
	RUN(outfile_fifo_and_links);
	return unit_done();
}
