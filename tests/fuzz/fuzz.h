/* fuzz.h - shared by every libFuzzer harness: the harness runs in a network
 * namespace of its own, made before the first input, so that nothing it
 * does (a name lookup in a host operand, a socket a driver opens, a group
 * join) can reach a real network; it refuses to run otherwise. */
#ifndef MCBOX_FUZZ_H
#define MCBOX_FUZZ_H

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* as root a network namespace; otherwise a user namespace first */
	if (unshare(CLONE_NEWNET) && unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		perror("fuzz: unshare(CLONE_NEWNET)");
		fputs("fuzz: refusing to run in the host's network namespace\n",
		      stderr);
		exit(1);
	}
	return 0;
}

#endif
