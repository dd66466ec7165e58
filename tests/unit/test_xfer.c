/* test_xfer.c - bitmap, and the atomic output file: nothing under the final
 * name until commit, and nothing left behind on abort. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "base/err.h"
#include "file/xfer.h"
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
	CHECK_INT(outfile_pwrite(&o, "world", 5, 6), 0);
	CHECK_INT(outfile_pwrite(&o, "hello ", 6, 0), 0);
	CHECK(stat(path, &st) != 0);	/* not yet under its name */
	CHECK_INT(outfile_commit(&o, 11), 0);
	fd = open(path, O_RDONLY);
	CHECK(read(fd, buf, sizeof(buf)) == 11);
	close(fd);
	CHECK_STR(buf, "hello world");
	CHECK_INT(entries(dir), 1);
	/* abort leaves nothing, and the old file stays as it was */
	CHECK_INT(outfile_open(&o, path), 0);
	CHECK_INT(outfile_pwrite(&o, "junk", 4, 0), 0);
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

int main(void)
{
	RUN(bitmap);
	RUN(outfile);
	return unit_done();
}
