/*
 * One function, built twice into machines/: as an x86-64 and as an i386
 * shared object, the two a multilib system's library directories hold
 * (process("*") patterns over them: utap probes the x86-64 one only).
 */
int machine_word(int x)
{
	return x + 1;
}
