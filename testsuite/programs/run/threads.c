/*
 * `threads N CALLS`: N threads (default 8) each call work() CALLS times
 * (default 100000), for exact hit counts under contention. Prints nothing.
 */
#include <pthread.h>
#include <stdlib.h>

static long calls = 100000;
volatile long sink;

__attribute__((noinline)) long work(long i)
{
	return i * 2 + 1;
}

static void *thread_main(void *arg)
{
	long total = 0;

	for (long i = 0; i < calls; i++)
		total += work(i);
	sink += total;
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8;
	pthread_t threads[64];

	if (argc > 2)
		calls = atol(argv[2]);
	if (n < 1 || n > 64)
		return 2;
	for (int i = 0; i < n; i++)
		if (pthread_create(&threads[i], NULL, thread_main, NULL))
			return 1;
	for (int i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	return 0;
}
