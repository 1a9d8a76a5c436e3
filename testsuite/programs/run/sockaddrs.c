/*
 * `sockaddrs`: hands a Unix-domain and an IPv4 socket address, as the
 * untyped pointer the socket calls take, to announce(), for @cast with a
 * module of C headers ("<sys/un.h>", "<netinet/in.h>"). Prints nothing.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

volatile long sink;

__attribute__((noipa)) void announce(const void *addr, unsigned len)
{
	sink += len + ((const unsigned char *)addr)[0];
}

int main(void)
{
	struct sockaddr_un un;
	struct sockaddr_in in;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	strcpy(un.sun_path, "/run/utap/control.sock");
	announce(&un, sizeof(un));

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(8080);
	in.sin_addr.s_addr = htonl(0x7f000001);
	announce(&in, sizeof(in));
	return 0;
}
