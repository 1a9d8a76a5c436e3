/*
 * spawner N - a small process tree for utap's lifecycle example: N
 * children, each running two threads; the last child then execs
 * /bin/true. The parent waits for all of them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *work(void *arg)
{
	volatile long sum = 0;

	for (long i = 0; i < 100000; i++)
		sum += i;
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;

	for (int i = 0; i < n; i++) {
		if (fork() == 0) {
			pthread_t t[2];

			for (int k = 0; k < 2; k++)
				pthread_create(&t[k], NULL, work, NULL);
			for (int k = 0; k < 2; k++)
				pthread_join(t[k], NULL);
			if (i == n - 1)
				execl("/bin/true", "true", (char *)NULL);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
