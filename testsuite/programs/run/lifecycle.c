/*
 * Process and thread lifecycles with known counts, for the lifecycle
 * probes (utap.lifecycle). Prints nothing unless asked.
 *
 *   lifecycle tree N         N children, each with one grandchild (2N + 1 processes);
 *                            each child and grandchild calls descendant(depth) once
 *   lifecycle threads N      N threads started and joined, 10 at a time
 *   lifecycle exec PROG ARG  exec PROG ARG... (an exec chain: sh -c -> this -> PROG)
 *   lifecycle sleep S        sleep S seconds (for -x), then exit
 *   lifecycle sleepers N S   N threads that each sleep S seconds, joined, then exit
 *   lifecycle wait           print "ready", wait for a line on stdin, exit
 *   lifecycle kill           kill itself with SIGKILL while 4 threads run
 *   lifecycle threadexec     a second thread execs /bin/true while the first waits
 *   lifecycle syscalls N     N getpid() and N write("abc") to /dev/null (and nothing else after start)
 *   lifecycle leave N        N threads, each ending with pthread_exit() inside leave(), which never returns
 *   lifecycle code           whether leave() and main() begin with a breakpoint (int3) in this process
 *   lifecycle churn S        for S seconds: a child that execs /bin/true, 4 threads, a getpid, again
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void *idle(void *arg)
{
	return arg;
}

static void *spin(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static void *sleeper(void *arg)
{
	sleep((unsigned int)(long)arg);
	return arg;
}

static void *exec_true(void *arg)
{
	execl("/bin/true", "true", (char *)NULL);
	return arg;
}

__attribute__((noinline)) long leave(long k)
{
	pthread_exit((void *)k);
	return k;
}

static void *leaver(void *arg)
{
	leave((long)arg);
	return arg;
}

/* Whether the first 16 bytes of a function's code hold an int3 (a probe after its prologue too). */
static int has_int3(const unsigned char *code)
{
	for (int i = 0; i < 16; i++)
		if (((volatile const unsigned char *)code)[i] == 0xcc)
			return 1;
	return 0;
}

__attribute__((noinline)) int descendant(int depth)
{
	return depth + (int)getpid() % 2;
}

static void tree(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t child = fork();

		if (child == 0) {
			pid_t grandchild = fork();

			if (grandchild == 0)
				_exit(descendant(2) > 100);
			waitpid(grandchild, NULL, 0);
			_exit(descendant(1) > 100);
		}
		waitpid(child, NULL, 0);
	}
}

static void threads(int n)
{
	pthread_t batch[10];

	while (n > 0) {
		int k = n < 10 ? n : 10;

		for (int i = 0; i < k; i++)
			pthread_create(&batch[i], NULL, idle, NULL);
		for (int i = 0; i < k; i++)
			pthread_join(batch[i], NULL);
		n -= k;
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (!strcmp(mode, "tree")) {
		tree(n);
	} else if (!strcmp(mode, "threads")) {
		threads(n);
	} else if (!strcmp(mode, "exec") && argc > 2) {
		execv(argv[2], argv + 2);
		return 127;
	} else if (!strcmp(mode, "sleep")) {
		sleep(n);
	} else if (!strcmp(mode, "sleepers") && argc > 3) {
		pthread_t t[64];

		n = n > 64 ? 64 : n;
		for (int i = 0; i < n; i++)
			pthread_create(&t[i], NULL, sleeper, (void *)(long)atoi(argv[3]));
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
	} else if (!strcmp(mode, "wait")) {
		char line[16];

		printf("ready\n");
		fflush(stdout);
		return fgets(line, sizeof(line), stdin) ? 0 : 1;
	} else if (!strcmp(mode, "kill")) {
		pthread_t t;

		for (int i = 0; i < 4; i++)
			pthread_create(&t, NULL, spin, NULL);
		kill(getpid(), SIGKILL);
	} else if (!strcmp(mode, "threadexec")) {
		pthread_t t;

		pthread_create(&t, NULL, exec_true, NULL);
		pthread_join(t, NULL);
		return 1; /* not reached: the exec replaces every thread */
	} else if (!strcmp(mode, "leave")) {
		for (long i = 0; i < n; i++) {
			pthread_t t;

			pthread_create(&t, NULL, leaver, (void *)i);
			pthread_join(t, NULL);
		}
	} else if (!strcmp(mode, "churn")) {
		time_t end = time(NULL) + n;

		while (time(NULL) < end) {
			pthread_t t[4];
			pid_t child = fork();

			if (child == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			for (int i = 0; i < 4; i++)
				pthread_create(&t[i], NULL, idle, NULL);
			for (int i = 0; i < 4; i++)
				pthread_join(t[i], NULL);
			syscall(SYS_getpid);
			waitpid(child, NULL, 0);
		}
	} else if (!strcmp(mode, "code")) {
		/* A uprobe left placed shows as int3 (0xcc) in the process's copy of the code. */
		printf("leave: %s\n", has_int3((const unsigned char *)leave) ? "int3" : "clean");
		printf("main: %s\n", has_int3((const unsigned char *)main) ? "int3" : "clean");
	} else if (!strcmp(mode, "syscalls")) {
		int fd = open("/dev/null", O_WRONLY);

		for (int i = 0; i < n; i++) {
			syscall(SYS_getpid);
			if (write(fd, "abc", 3) != 3)
				return 1;
		}
	} else {
		fprintf(stderr, "usage: lifecycle tree|threads|exec|sleep|sleepers|wait|kill|threadexec|syscalls|leave|code|churn ...\n");
		return 2;
	}
	return 0;
}
